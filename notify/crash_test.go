package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/rs/zerolog"
)

// Environment of the child process of TestProcessDiesBetweenSendAndCommit.
const (
	crashChildEnv = "RPPSYNC_NOTIFY_CRASH_CHILD" // the database URL
	crashPortEnv  = "RPPSYNC_NOTIFY_CRASH_PORT"
	crashCAEnv    = "RPPSYNC_NOTIFY_CRASH_CA"
	crashExitCode = 3
)

// TestProcessDiesBetweenSendAndCommit kills a real process between the
// SMTP server's acceptance and River's record of the attempt: a child
// process works the job and exits as soon as the send returns. The job
// stays "running"; River's rescuer, in the next process, puts it back,
// and the same message (same Message-ID and Date) is sent again.
func TestProcessDiesBetweenSendAndCommit(t *testing.T) {
	if url := os.Getenv(crashChildEnv); url != "" {
		crashChild(t, url)
		return
	}
	t.Parallel()
	pki := newTestPKI(t)
	peer := newSMTPPeer(t, pki, plainWithSTARTTLS, tls.NoClientCert)
	logs := &syncBuffer{}
	log := zerolog.New(zerolog.MultiLevelWriter(zerolog.NewTestWriter(t), logs)).Level(zerolog.DebugLevel)
	t.Cleanup(func() { checkLogsClean(t, logs.String()) })
	url, pool := newPoolURL(t, log)

	// Enqueue with an insert-only client, as the pass does.
	inserter, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: SlogLogger(log)})
	if err != nil {
		t.Fatal(err)
	}
	sender := newSMTPSender(t, SMTPConfig{Port: peer.port, CAFile: pki.caFile})
	d, err := New(river.NewWorkers(), Config{SMTP: sender, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	msg := digestMessage(t, "digest.750712184.2026-12-04")
	res := enqueueWith(t, pool, inserter, d, "item-1", true, msg)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestProcessDiesBetweenSendAndCommit$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+url, crashPortEnv+"="+strconv.Itoa(peer.port), crashCAEnv+"="+pki.caFile)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != crashExitCode {
		t.Fatalf("child process: %v, want exit status %d; output:\n%s", err, crashExitCode, out)
	}
	if n := len(peer.mails()); n != 1 {
		t.Fatalf("%d mails after the crash, want 1", n)
	}
	job, err := inserter.JobGet(ctx, res[0].JobID)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != rivertype.JobStateRunning || job.Attempt != 1 {
		t.Fatalf("job %s at attempt %d after the crash; want running, attempt 1 (nothing recorded)", job.State, job.Attempt)
	}

	// The next process: River's rescuer finds the job stuck once the
	// attempt's timeout has passed, and retries it.
	const attemptTimeout = time.Second
	time.Sleep(time.Until(job.AttemptedAt.Add(attemptTimeout + 100*time.Millisecond)))
	env := startRiver(t, pool, log, logs, Config{SMTP: sender, JobTimeout: attemptTimeout}, func(rc *river.Config) {
		rc.JobTimeout = attemptTimeout
		rc.RescueStuckJobsAfter = attemptTimeout
	})
	done := env.waitFinal(t, job.ID)
	if done.State != rivertype.JobStateCompleted || done.Attempt != 2 {
		t.Fatalf("job %s at attempt %d; want completed at the second", done.State, done.Attempt)
	}
	mails := peer.mails()
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2", len(mails))
	}
	for _, m := range mails {
		checkDigest(t, m, msg, job.CreatedAt)
	}
}

// crashChild is the child's side: work the job, die once it is sent.
func crashChild(t *testing.T, url string) {
	port, err := strconv.Atoi(os.Getenv(crashPortEnv))
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t))
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: port, CAFile: os.Getenv(crashCAEnv), From: "rppsync@hopital.example", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	d, err := New(workers, Config{SMTP: sender, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	queue, qc := d.QueueConfig(1)
	die := river.WorkerMiddlewareFunc(func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
		if err := doInner(ctx); err != nil {
			t.Fatalf("child: send failed: %v", err)
		}
		os.Exit(crashExitCode) // sent, not recorded
		return nil
	})
	// The dying process is a worker, not the leader: a dead leader's lease
	// would delay the next process's rescuer by River's leadership TTL,
	// which this test has no reason to wait for.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		LeaderElectionDisabled: true,
		Logger:                 SlogLogger(log),
		Queues:                 map[string]river.QueueConfig{queue: qc},
		Workers:                workers,
		WorkerMiddleware:       []rivertype.WorkerMiddleware{die},
		FetchPollInterval:      50 * time.Millisecond,
		FetchCooldown:          10 * time.Millisecond,
		TestOnly:               true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Second)
	t.Fatal("child: the job was not worked in 30 s")
}
