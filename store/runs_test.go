package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rppsync/rppsync/store"
	"github.com/rppsync/rppsync/store/storetest"
)

func TestRunHistory(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := storetest.New(t)
	t0 := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)

	// Passes: an ok one, a failed one, one still running.
	ok, err := db.StartRun(ctx, store.RunStart{Replica: "a", Trigger: store.TriggerSchedule, ScheduledFor: t0, StartedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	counts := store.RunCounts{Files: 2, FilesDone: 1, FilesRejected: 1, Rows: map[string]int{"matched": 3}, Items: map[string]int{"validate_activity": 3}, Messages: 2}
	if err := db.FinishRun(ctx, ok, store.RunEnd{FinishedAt: t0.Add(time.Minute), Outcome: store.RunOK, Counts: counts}); err != nil {
		t.Fatal(err)
	}
	failed, err := db.StartRun(ctx, store.RunStart{Replica: "b", Trigger: store.TriggerRun, StartedAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, failed, store.RunEnd{FinishedAt: t0.Add(61 * time.Minute), Outcome: store.RunFailed,
		ErrorCode: "db_timeout", ErrorMessage: "reconcile: timeout"}); err != nil {
		t.Fatal(err)
	}
	running, err := db.StartRun(ctx, store.RunStart{Replica: "a", Trigger: store.TriggerRun, StartedAt: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	// A pass ends once; an unknown id is an error; "running" is no end.
	if err := db.FinishRun(ctx, ok, store.RunEnd{FinishedAt: t0, Outcome: store.RunFailed}); !errors.Is(err, store.ErrRunNotFound) {
		t.Errorf("second FinishRun = %v, want ErrRunNotFound", err)
	}
	if err := db.FinishRun(ctx, 1<<40, store.RunEnd{FinishedAt: t0, Outcome: store.RunOK}); !errors.Is(err, store.ErrRunNotFound) {
		t.Errorf("FinishRun(unknown) = %v, want ErrRunNotFound", err)
	}
	if err := db.FinishRun(ctx, running, store.RunEnd{FinishedAt: t0, Outcome: store.RunRunning}); err == nil {
		t.Error("FinishRun with outcome running succeeded")
	}

	all, err := db.Runs(ctx, store.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].ID != running || all[1].ID != failed || all[2].ID != ok {
		t.Fatalf("Runs = %+v, want newest first", all)
	}
	if all[0].Outcome != store.RunRunning || all[0].FinishedAt != nil {
		t.Errorf("running pass = %+v", all[0])
	}
	if r := all[1]; r.ErrorCode != "db_timeout" || r.ScheduledFor != nil || r.Trigger != store.TriggerRun {
		t.Errorf("failed pass = %+v", r)
	}
	if r := all[2]; r.Counts.Rows["matched"] != 3 || r.Counts.Messages != 2 || r.ScheduledFor == nil || !r.ScheduledFor.Equal(t0) ||
		r.FinishedAt == nil || !r.FinishedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("ok pass = %+v", r)
	}

	last, err := db.Runs(ctx, store.RunFilter{Limit: 1, Finished: true})
	if err != nil || len(last) != 1 || last[0].ID != failed {
		t.Errorf("last finished = %+v, %v; want the failed pass", last, err)
	}
	fails, err := db.Runs(ctx, store.RunFilter{Outcomes: []store.RunOutcome{store.RunFailed, store.RunPartial}})
	if err != nil || len(fails) != 1 || fails[0].ID != failed {
		t.Errorf("failed passes = %+v, %v", fails, err)
	}
}

func TestJobCountsWithoutRiver(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if _, err := db.JobCounts(context.Background()); !errors.Is(err, store.ErrNoJobQueue) {
		t.Fatalf("JobCounts before River's migrations = %v, want ErrNoJobQueue", err)
	}
}
