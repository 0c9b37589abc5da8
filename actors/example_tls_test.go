package actors_test

import (
	"fmt"
	"net"
	"strconv"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/tlstest"
)

// A node over mutual TLS whose remote refuses any batch in which an
// envelope names a sender of another process than the certificate's. Each
// process of a deployment does the same with its own certificate from the
// shared authority. (Not run: it starts a remote, and a test process runs
// at most one.)
func ExampleWithTLS() {
	ca, err := tlstest.NewCA("example")
	if err != nil {
		fmt.Println(err)
		return
	}
	port, err := tlstest.ReservePort("127.0.0.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := ca.NodeConfig(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		fmt.Println(err)
		return
	}
	node, err := actors.NewNode(actors.DefaultConfig(), actors.WithRemote("127.0.0.1", port), actors.WithTLS(cfg))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Close()
	node.AddBatchCheck(actors.SendersMatchPeer)
	fmt.Println(node.TLS(), node.Stats().CheckRefusals)
}
