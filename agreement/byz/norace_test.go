//go:build !race

package byz_test

const raceBuild = false
