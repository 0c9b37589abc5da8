package main

import (
	"bufio"
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pprofNode is one function of `go tool pprof -top`: its own (flat) and
// inclusive (cumulative) CPU time as shares of the profile's total.
type pprofNode struct {
	Name      string
	Flat, Cum float64 // 0..1
}

// pprofTop is the parsed text of `go tool pprof -top`.
type pprofTop struct {
	Duration string  // wall time the profile covers, as pprof prints it
	Total    string  // CPU time sampled, as pprof prints it
	Shown    float64 // share of the total the listed nodes account for
	Nodes    []pprofNode
}

// cores is the CPU time sampled over the wall time profiled: how many
// cores the process kept busy on average; ok is false when pprof's
// figures are not durations Go can read.
func (t *pprofTop) cores() (float64, bool) {
	cpu, err1 := time.ParseDuration(t.Total)
	wall, err2 := time.ParseDuration(t.Duration)
	if err1 != nil || err2 != nil || wall <= 0 {
		return 0, false
	}
	return cpu.Seconds() / wall.Seconds(), true
}

// topLine matches "     0.20s  5.90%  5.90%      0.71s 20.94%  pkg.Func (inline)".
var topLine = regexp.MustCompile(`^\s*\S+\s+([\d.]+)%\s+[\d.]+%\s+\S+\s+([\d.]+)%\s+(.+?)(\s+\(inline\))?\s*$`)

// parsePprofTop reads pprof's -top text. Lines it does not recognise are
// skipped, so a header pprof adds in a later version does not break it.
func parsePprofTop(out string) *pprofTop {
	t := &pprofTop{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Duration: "); ok {
			d, total, _ := strings.Cut(rest, ", Total samples = ")
			t.Duration = strings.TrimSpace(d)
			if i := strings.Index(total, " ("); i >= 0 {
				total = total[:i]
			}
			t.Total = strings.TrimSpace(total)
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Showing nodes accounting for "); ok {
			// "3.39s, 100% of 3.39s total"
			if _, pct, ok := strings.Cut(rest, ", "); ok {
				if p, _, ok := strings.Cut(pct, "%"); ok {
					if v, err := strconv.ParseFloat(p, 64); err == nil {
						t.Shown = v / 100
					}
				}
			}
			continue
		}
		m := topLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		flat, err1 := strconv.ParseFloat(m[1], 64)
		cum, err2 := strconv.ParseFloat(m[2], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		t.Nodes = append(t.Nodes, pprofNode{Name: m[3], Flat: flat / 100, Cum: cum / 100})
	}
	return t
}

// bucketRule names the part of the system a function belongs to by the
// prefix of its qualified name. Rules are tried in order: the runtime's
// allocation and GC functions come before the catch-all for the runtime.
type bucketRule struct {
	bucket   string
	prefixes []string
}

// Bucket names, also used by the tests.
const (
	bucketMailbox   = "protoactor mailbox and posting"
	bucketRemote    = "protoactor remote (endpoints, serialisation)"
	bucketLayers    = "Lockstep layers (ordering/layer)"
	bucketDecorator = "Lockstep decorator (ordering driver)"
	bucketMember    = "Lockstep membership"
	bucketLockstep  = "Lockstep runtime and wire (actors)"
	bucketHarness   = "benchmark application and harness"
	bucketGC        = "GC and allocation"
	bucketLocks     = "locks and spinning (mutexes, atomics)"
	bucketSched     = "runtime scheduler, wake-ups, timers, channels"
	bucketProto     = "protobuf"
	bucketGRPC      = "gRPC and HTTP/2"
	bucketRaft      = "etcd raft"
	bucketSyscall   = "system calls and network I/O"
	bucketMaps      = "maps and hashing"
	bucketCopy      = "memory copies (memmove)"
	bucketRuntime   = "other Go runtime"
	bucketOther     = "other"
)

var bucketRules = []bucketRule{
	{bucketRemote, []string{"github.com/asynkron/protoactor-go/remote"}},
	{bucketMailbox, []string{"github.com/asynkron/protoactor-go/"}},
	{bucketLayers, []string{"github.com/lockstep-actors/lockstep/ordering/layer."}},
	{bucketDecorator, []string{"github.com/lockstep-actors/lockstep/ordering."}},
	{bucketMember, []string{"github.com/lockstep-actors/lockstep/membership"}},
	{bucketHarness, []string{"github.com/lockstep-actors/lockstep/bench", "testing."}},
	{bucketLockstep, []string{"github.com/lockstep-actors/lockstep/"}},
	{bucketProto, []string{"google.golang.org/protobuf/"}},
	{bucketGRPC, []string{"google.golang.org/grpc", "golang.org/x/net/"}},
	{bucketRaft, []string{"go.etcd.io/raft"}},
	{bucketGC, []string{
		"runtime.malloc", "runtime.newobject", "runtime.makeslice", "runtime.growslice", "runtime.makemap",
		"runtime.gc", "runtime.scan", "runtime.greyobject", "runtime.findObject", "runtime.markBits",
		"runtime.wb", "runtime.(*wbBuf)", "runtime.bulkBarrier", "gcWriteBarrier", "runtime.gcWriteBarrier",
		"runtime.(*mspan)", "runtime.(*mcache)", "runtime.(*mcentral)", "runtime.(*mheap)", "runtime.(*spanSet)",
		"runtime.(*sweep", "runtime.sweepone", "runtime.bgsweep", "runtime.(*activeSweep)", "runtime.(*gcWork)",
		"runtime.(*gcBits)", "runtime.(*spanInlineMarkBits)", "runtime.(*spanScanOwnership)", "runtime.tryDeferToSpanScan",
		"runtime.heapSetType", "runtime.heapBits", "runtime.typePointers", "runtime.memclr", "runtime.nextFreeFast",
		"runtime.deductAssistCredit", "runtime.getGCMask", "runtime.(*atomicMSpanPointer)", "runtime.spanClass",
		"runtime.(*pageAlloc)", "runtime.(*fixalloc)", "runtime.(*maybeTraceable", "internal/runtime/gc/",
		"runtime.markroot", "runtime.(*gcBitsArena)", "runtime.newMarkBits", "runtime.newAllocBits", "runtime.madvise",
		"runtime.sysUnused", "runtime.(*scavenger", "runtime.bgscavenge", "runtime.(*mheap_)",
	}},
	{bucketLocks, []string{
		"internal/sync.", "sync.", "sync/atomic.", "internal/runtime/atomic.", "runtime.procyield", "runtime.osyield",
		"runtime.lock", "runtime.unlock", "runtime.sem", "runtime.(*semaRoot)",
	}},
	{bucketSyscall, []string{"syscall.", "internal/runtime/syscall", "internal/poll.", "net.", "os.", "runtime.netpoll", "runtime.write1"}},
	{bucketSched, []string{
		"runtime.schedule", "runtime.findRunnable", "runtime.futex", "runtime.park", "runtime.gopark", "runtime.goready",
		"runtime.ready", "runtime.runq", "runtime.stealWork", "runtime.startm", "runtime.stopm", "runtime.wakep",
		"runtime.note", "runtime.execute", "runtime.casgstatus", "runtime.gosched", "runtime.newproc", "runtime.goexit0",
		"runtime.(*timers)", "runtime.(*timer)", "runtime.nanotime", "runtime.usleep", "runtime.chan", "runtime.select",
		"runtime.send", "runtime.recv", "runtime.(*waitq)", "runtime.(*guintptr)", "runtime.mPark", "runtime.handoff",
		"runtime.resetspinning", "runtime.checkTimers", "runtime.exitsyscall", "runtime.entersyscall", "time.",
		"runtime.closechan", "runtime.acquirep", "runtime.releasep", "runtime.globrunq", "runtime.injectglist",
		"runtime.asyncPreempt", "runtime.preempt", "runtime.pidle", "runtime.checkRunqs", "runtime.tgkill",
		"runtime.signalM", "runtime.sysmon",
	}},
	{bucketCopy, []string{"runtime.memmove", "runtime.typedmemmove", "runtime.typedslicecopy"}},
	{bucketMaps, []string{"internal/runtime/maps.", "runtime.map", "aeshash", "runtime.memhash", "runtime.typehash",
		"runtime.nilinterhash", "runtime.interhash", "runtime.strhash", "runtime.memequal", "memeqbody"}},
	{bucketRuntime, []string{"runtime.", "internal/", "indexbytebody", "cmpbody"}},
}

// bucketOf names the part of the system fn belongs to.
func bucketOf(fn string) string {
	for _, r := range bucketRules {
		for _, p := range r.prefixes {
			if strings.HasPrefix(fn, p) {
				return r.bucket
			}
		}
	}
	return bucketOther
}

// isRoot reports whether fn is a frame at the bottom of every stack
// (goroutine entry, the test runner), whose cumulative share says nothing
// about where the work is.
func isRoot(fn string) bool {
	for _, p := range []string{"runtime.goexit", "runtime.main", "runtime.mstart", "runtime.systemstack", "runtime.mcall", "testing."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// bucketShare is one part of the system in a profile.
type bucketShare struct {
	Bucket string
	Flat   float64     // the bucket's functions' own time: shares add up to the total
	Top    []pprofNode // its heaviest functions by own time
	Entry  pprofNode   // its function with the largest cumulative share (roots excluded)
}

// unlisted names the share pprof dropped from its listing (functions below
// its node fraction).
const unlisted = "functions below pprof's listing threshold"

// summarise groups a profile's functions into buckets, heaviest first by
// own time, keeping topN functions per bucket. Own times add up, so the
// shares read as a breakdown of the whole CPU time; what pprof left out is
// one more row.
func summarise(t *pprofTop, topN int) []bucketShare {
	byName := map[string]*bucketShare{}
	var out []*bucketShare
	var listed float64
	for _, n := range t.Nodes {
		b := bucketOf(n.Name)
		s := byName[b]
		if s == nil {
			s = &bucketShare{Bucket: b}
			byName[b] = s
			out = append(out, s)
		}
		listed += n.Flat
		s.Flat += n.Flat
		if n.Flat > 0 {
			s.Top = append(s.Top, n)
		}
		if !isRoot(n.Name) && n.Cum > s.Entry.Cum {
			s.Entry = n
		}
	}
	res := make([]bucketShare, 0, len(out)+1)
	for _, s := range out {
		if s.Flat <= 0 && s.Entry.Cum <= 0 {
			continue
		}
		slices.SortStableFunc(s.Top, func(a, b pprofNode) int { return cmp.Compare(b.Flat, a.Flat) })
		s.Top = s.Top[:min(len(s.Top), topN)]
		res = append(res, *s)
	}
	slices.SortStableFunc(res, func(a, b bucketShare) int { return cmp.Compare(b.Flat, a.Flat) })
	if rest := 1 - listed; rest >= 0.005 {
		res = append(res, bucketShare{Bucket: unlisted, Flat: rest})
	}
	return res
}

// heaviest is the k functions with the largest cumulative share, roots
// excluded: the call paths most of the CPU time runs under.
func heaviest(t *pprofTop, k int) []pprofNode {
	var ns []pprofNode
	for _, n := range t.Nodes {
		if !isRoot(n.Name) && n.Cum > 0 {
			ns = append(ns, n)
		}
	}
	slices.SortStableFunc(ns, func(a, b pprofNode) int { return cmp.Compare(b.Cum, a.Cum) })
	return ns[:min(len(ns), k)]
}

// shortName drops the import path: "github.com/x/ordering/layer.(*Member).Step"
// becomes "layer.(*Member).Step".
func shortName(fn string) string {
	cut := len(fn)
	if i := strings.IndexAny(fn, "(["); i >= 0 {
		cut = i
	}
	j := strings.LastIndex(fn[:cut], "/")
	if j < 0 {
		return fn
	}
	// A major version element ("raft/v3") says little alone: keep the
	// element before it.
	if elem := fn[j+1 : cut]; len(elem) > 1 && elem[0] == 'v' && strings.Trim(elem[1:strings.IndexByte(elem+".", '.')], "0123456789") == "" {
		if k := strings.LastIndex(fn[:j], "/"); k >= 0 {
			return fn[k+1:]
		}
	}
	return fn[j+1:]
}
