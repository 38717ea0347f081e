// Package scheduler holds the schedule of the worker's pass and the River
// job definitions of the worker: the pass (PassArgs, run by River as a
// periodic job, so that of several replicas only the elected leader inserts
// each activation) and one agency file of the inbox (InboxFileArgs, unique
// by the file's SHA-256, so that a file is imported once whichever replica
// sees it).
//
// ParseCron is the one place that reads a cron expression (with
// robfig/cron/v3). Its schedule runs on the wall clock of a time zone, the
// way system crons do across daylight saving changes:
//
//   - an activation whose wall time does not exist (02:00 on the night the
//     clocks go forward, 02:00 → 03:00 in Europe/Paris) runs at the end of
//     the gap, 03:00 summer time; robfig/cron alone would skip that night;
//   - an activation whose wall time happens twice (02:00 on the night the
//     clocks go back, 03:00 → 02:00) runs once, at its first occurrence
//     (02:00 summer time); robfig/cron alone would run it twice.
//
// So a daily pass runs exactly once every night. The package must not know
// what a pass does (that is package worker) nor hold a timing loop of its
// own: River's periodic job enqueuer waits for the activations.
package scheduler
