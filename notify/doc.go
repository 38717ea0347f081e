// Package notify delivers what a pass has to tell the structures and the
// agencies: e-mails over SMTP (STARTTLS or implicit TLS, with an optional
// client certificate as MSSanté operators require) and signed JSON webhooks.
//
// Delivery runs on River, the PostgreSQL job queue: each message is a River
// job inserted by Enqueue with InsertManyTx in the caller's transaction, the
// one that writes the items the message reports (the outbox). A message is
// therefore sent if and only if its items were committed. Jobs are unique
// per kind and idempotency key (River's unique jobs, by the args' key), so
// enqueuing the same digest twice inserts it once. River retries failed
// attempts with its backoff, records each attempt's error on the job row,
// and gives up after Config.MaxAttempts; Failures lists what was given up
// (discarded), refused for good (cancelled) or is still being retried.
//
// Delivery is at least once: a crash after a send and before River records
// the attempt sends the message again (River's rescuer puts a job left
// "running" by a dead process back in line once both the attempt's timeout,
// Config.JobTimeout, and the client's RescueStuckJobsAfter have passed).
// The idempotency key therefore goes into the message (Message-ID:
// <KEY@rppsync> for e-mail, derived by MessageID; an Idempotency-Key header
// for webhooks) and a retry sends the same content, sender and Date (the
// job's creation time) with the same key, so that receivers deduplicate.
// The job's arguments hold the whole message for that reason; a webhook's
// body is kept as the caller's bytes, which the signature covers.
//
// Failures are classified: an *Error matches ErrPermanent (SMTP 5xx, a bad
// address, a certificate that does not verify, a webhook answering 4xx) or
// ErrTemporary (SMTP 4xx, timeouts, refused connections, a webhook answering
// 5xx). The workers cancel the job on a permanent failure and let River
// retry a temporary one.
//
// Logs carry job ids, kinds, keys, attempts and error codes, never
// addresses, names, URLs or bodies; error texts recorded on the jobs have
// e-mail addresses redacted.
//
// The package owns delivery only: what a digest says (its content, per
// structure, from the queue) is decided by the caller, which hands over
// ready Message and Webhook values. It must not read the queue tables or
// decide who is notified.
package notify
