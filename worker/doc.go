// Package worker runs rppsync's pass, once (`rppsync run`) or on a schedule
// as a long-running service (`rppsync serve`).
//
// A pass (Worker.RunPass) refreshes the directory when a newer extract is
// there (Config.Fetcher, then pipeline.LoadExtract; a 304 answer loads
// nothing), imports the ready files of the inbox, reconciles the queue,
// notifies (Config.Notifier, in a transaction of its own) and purges the
// personal data past Config.Retention. It is recorded in the pass history
// (store.StartRun, store.FinishRun) and returns a PassSummary: files, rows
// by verdict, items by kind, messages.
//
// Each ready inbox file becomes a River job (scheduler.InboxFileArgs),
// unique by the file's SHA-256, so that of several replicas scanning one
// inbox exactly one imports it. The job imports the file alone
// (pipeline.Import, one transaction) and moves it with inbox.Finish into
// done/, or rejected/ when the file could not be read, with its XLSX check
// report beside it; a file another process already moved is a success. A
// file whose content was imported before (a copy dropped again) is moved
// to done/ with a note, without a job. A pass outside Serve works its jobs
// with a River client of its own until they are finished.
//
// Serve runs a River client with the inbox worker, the workers the caller
// adds (the notifications) and the pass as a periodic job on
// Config.Schedule: River runs periodic jobs on its elected leader only, so
// one replica runs each activation. It also scans the inbox every
// Config.WatchEvery, and serves /healthz and /metrics (Prometheus) on
// Config.HTTPAddr. When its context is cancelled (SIGINT, SIGTERM) it stops
// taking files, lets the running jobs finish within Config.Grace, then
// cancels them: a file being imported is rolled back and stays in the
// inbox for the next pass.
//
// Logs (zerolog, injected) carry the pass id, files' paths and hashes, job
// ids and counts; never names, birth data or contacts.
//
// The package must not parse flags or the environment (cmd does), decide a
// verdict or an item (matcher, queue), or hold SQL (store).
package worker
