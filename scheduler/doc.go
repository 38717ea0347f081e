// Package scheduler runs a job at the times a schedule gives, one run at a
// time, with an injectable clock so tests never sleep.
//
// It owns the timing loop only. It must not parse cron expressions (cmd/rppsync
// turns a cron expression into a Schedule with robfig/cron) and must not know
// what the job does (import, reconcile, purge).
package scheduler
