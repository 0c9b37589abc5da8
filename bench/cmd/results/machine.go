package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the figures were measured.
type machine struct {
	CPU       string
	Cores     int
	GoVersion string
	OS        string
}

func describeMachine() machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.GoVersion = strings.TrimSpace(string(out))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// loadAverage is the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

// loadOne is the 1-minute load average, or -1.
func loadOne() float64 {
	var v float64 = -1
	b, err := os.ReadFile("/proc/loadavg")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if x, err := parseFloat(f[0]); err == nil {
				v = x
			}
		}
	}
	return v
}
