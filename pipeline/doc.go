// Package pipeline runs the steps of a sync pass: read agency files and
// judge every row (Check), record them with their contracts and work items
// (Import), load a national extract (LoadExtract), close the loop with the
// new directory (Reconcile), erase expired personal data (Purge), and write
// a structure's or an agency's queue (Export). Every caller runs the same
// steps through it: the command line today, the scheduled worker, the
// notifications and the structures' page next.
//
// It owns the batching (rows go to the matcher in batches, one directory
// query per batch; the files are read while the first batches are judged)
// and the order of the steps; what a row's verdict is belongs to matcher,
// what it means for a structure to queue, how it is stored to store, how it
// is written to report.
//
// It must not parse flags or read the environment, print for people, or
// change a process-wide setting (the garbage collector's tuning is the
// command line's, through Config.OnPhase): a long-running worker runs pass
// after pass with the same process.
package pipeline
