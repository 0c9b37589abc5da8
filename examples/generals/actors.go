package main

import (
	"context"
	"fmt"
	"time"

	"github.com/lockstep-actors/lockstep/actors"
	"github.com/lockstep-actors/lockstep/actors/history"
	"github.com/lockstep-actors/lockstep/agreement"
	"github.com/lockstep-actors/lockstep/agreement/byz/byztest"
)

// roundDuration is the length of a round on actors. OM rounds whose
// messages have all arrived close at once; SM rounds, and OM rounds
// waiting for a silent traitor, last this long.
const roundDuration = 200 * time.Millisecond

// runActors runs the generals as actors of one local node through an
// agreement council, recording their Propose, Decide and Faulty events.
// It returns the ids the actors ran under ("nonhost/g0", ...).
func runActors(o Options) (outcome, error) {
	node, err := actors.NewNode(actors.DefaultConfig())
	if err != nil {
		return outcome{}, err
	}
	defer node.Close()

	ids := make([]history.ProcessID, o.N)
	for i := range ids {
		ids[i] = node.ProcessID(fmt.Sprintf("g%d", i))
	}
	// Keys derived from the names, as in the tests: fine for a demo,
	// never for anything real.
	keys := byztest.NewKeys(ids)
	cfg := agreement.DefaultConfig()
	cfg.Name, cfg.Algorithm, cfg.Interactive, cfg.M = councilName, o.Algorithm, o.Interactive, o.M
	cfg.Generals, cfg.Commander, cfg.RoundDuration = ids, ids[o.Commander], roundDuration
	cfg.PublicKeys, cfg.PrivateKeys = keys.Public, keys.Private

	log := history.NewLog()
	opts := []agreement.Option{agreement.WithRecorder(log)}
	for i, name := range o.Traitors {
		opts = append(opts, agreement.WithTraitor(ids[i], strategy(name, ids, o.Seed), o.Seed))
	}
	council, err := agreement.NewCouncil(node, cfg, opts...)
	if err != nil {
		return outcome{}, err
	}
	defer council.Close()

	values := make(map[history.ProcessID]string, o.N)
	for i, id := range ids {
		values[id] = o.value(i)
	}
	run, err := council.Start(values)
	if err != nil {
		return outcome{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := run.Wait(ctx)
	if err != nil {
		return outcome{}, err
	}
	if len(res.Undecided) > 0 {
		return outcome{}, fmt.Errorf("undecided generals: %v", res.Undecided)
	}
	out := outcome{IDs: ids, Traitor: make([]bool, o.N), Decisions: res.Decisions,
		Messages: res.Messages, Rejected: council.Stats().Rejected, History: log.History()}
	for i := range o.Traitors {
		out.Traitor[i] = true
	}
	return out, nil
}
