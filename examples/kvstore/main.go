package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lockstep-actors/lockstep/ordering/layer"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "client" {
		os.Exit(clientMain(os.Args[2:]))
	}
	d := defaultDemoConfig()
	seed := flag.Uint64("seed", d.Seed, "seed of the workload and of the choice of the crashed replica")
	class := flag.String("class", d.Class.String(), "ordering class of the commands: atomic, fifo-atomic or causal-atomic")
	replicas := flag.Int("replicas", d.Replicas, "founding replicas of the embedded demo")
	clients := flag.Int("clients", d.Clients, "concurrent clients of the embedded demo")
	phase := flag.Duration("phase", d.Phase, "time between the embedded demo's steps")
	svg := flag.String("svg", d.SVGPath, "where the embedded demo writes its space-time diagram (empty: nowhere)")
	listen := flag.String("listen", "", "multi-process mode: run one replica listening on host:port")
	join := flag.String("join", "", "multi-process mode: comma-separated addresses of replicas to join (empty: found a new group)")
	httpAddr := flag.String("http", "", "multi-process mode: serve GET/PUT/DELETE /kv/{key} on this address")
	flag.Parse()
	c, err := layer.ParseClass(*class)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvstore:", err)
		os.Exit(2)
	}
	if *listen != "" {
		if err := serve(serveConfig{Listen: *listen, Join: *join, HTTP: *httpAddr, Class: c}, os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, "kvstore:", err)
			os.Exit(1)
		}
		return
	}
	d.Seed, d.Replicas, d.Clients, d.Phase, d.Class, d.SVGPath = *seed, *replicas, *clients, *phase, c, *svg
	if d.SVGPath != "" {
		if abs, err := filepath.Abs(d.SVGPath); err == nil {
			d.SVGPath = abs
		}
	}
	d.Progress = os.Stderr
	s, err := runDemo(d, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kvstore:", err)
		os.Exit(1)
	}
	if !s.Identical {
		os.Exit(1)
	}
}
