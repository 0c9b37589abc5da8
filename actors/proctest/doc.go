// Package proctest runs parts of a test in separate OS processes: the test
// binary re-executes itself, the way the standard library's os/exec tests
// do, so that several Lockstep nodes can talk over loopback exactly as
// separately deployed processes would.
//
// It serves three needs:
//
//  1. Isolation. The pinned protoactor writes grpc-go's process-wide logger
//     every time a remote starts, without synchronisation; a second remote
//     started in a process where gRPC goroutines are alive is a data race the
//     race detector reports. A test that needs a remote node calls Isolate
//     and runs in a fresh process of its own.
//  2. Peers. Start (and StartN) launch helper processes that run one role of
//     a test; each announces the address of its node on stdout (Announce),
//     serves until its standard input closes (StdinClosed), and may write
//     its history as JSON lines to the file named in its environment.
//  3. Histories. ReadHistories reads those files back and merges them, so
//     the same checkers judge a multi-process run as a simulated one.
//  4. Steps. A parent follows a child through a test by the lines it prints
//     (Child.AwaitLine, no polling) and may instruct it line by line
//     (Child.Send; the child reads them from StdinLines).
//
// The package does not import testing: the few testing methods it needs are
// the TB interface, which *testing.T satisfies.
//
// # Usage
//
//	// The child's side: a test function that only does work when started
//	// as a child.
//	func TestHelperProcess(t *testing.T) {
//		if _, ok := proctest.Role(); !ok {
//			t.Skip("helper process for other tests")
//		}
//		hist, _ := proctest.CreateHistory() // nil when no history was asked for
//		defer hist.Close()
//		node, _ := actors.NewNode(actors.DefaultConfig(), actors.WithRemote("127.0.0.1", 0))
//		defer node.Close()
//		// spawn actors that record into hist ...
//		proctest.Announce(os.Stdout, node.Address())
//		<-proctest.StdinClosed()
//	}
//
//	// The parent's side.
//	children, err := proctest.StartN(3, func(i int) proctest.Spec {
//		return proctest.Spec{Run: "TestHelperProcess", Role: "member", HistoryDir: t.TempDir()}
//	})
//	defer proctest.KillRunning(children) // none outlives a failed test
//	// ... talk to children[i].Addr(); children[i].AwaitLine("DONE", time.Minute) ...
//	err = proctest.StopAll(children, 30*time.Second)
//	h, err := proctest.ReadHistories(children) // then run the history checkers on h
//
// Every wait is bounded: Start by Spec.AnnounceTimeout, Stop and StopAll by
// their timeout (then the child is killed), AwaitLine and Isolate by theirs.
package proctest
