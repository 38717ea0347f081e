package worker

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rppsync/rppsync/scheduler"
	"github.com/rppsync/rppsync/store"
)

// metrics are the Worker's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	files    *prometheus.CounterVec
	rows     *prometheus.CounterVec
	items    *prometheus.CounterVec
	messages *prometheus.CounterVec
	passes   *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lastPass prometheus.Gauge
}

func newMetrics(w *Worker) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rppsync_files_total",
			Help: "Inbox files handled by this process, by outcome (done, rejected, duplicate, failed)."}, []string{"outcome"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rppsync_rows_total",
			Help: "Rows of the files this process imported, by verdict status."}, []string{"verdict"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rppsync_items_total",
			Help: "Work items created during this process's passes, by kind."}, []string{"kind"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rppsync_messages_total",
			Help: "Notifications: enqueued by this process's passes, sent and failed attempts by its River client."}, []string{"result"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rppsync_passes_total",
			Help: "Passes run by this process, by outcome."}, []string{"outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rppsync_pass_duration_seconds",
			Help:    "Duration of the passes run by this process.",
			Buckets: []float64{1, 5, 15, 60, 300, 900, 1800, 3600, 7200}}, []string{"outcome"}),
		lastPass: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rppsync_last_pass_timestamp_seconds",
			Help: "End of the last pass this process ran, as a Unix time."}),
	}
	m.reg.MustRegister(m.files, m.rows, m.items, m.messages, m.passes, m.duration, m.lastPass,
		&dbCollector{w: w}, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) file(outcome string) { m.files.WithLabelValues(outcome).Inc() }

func (m *metrics) addRows(byVerdict map[string]int) {
	for v, n := range byVerdict {
		m.rows.WithLabelValues(v).Add(float64(n))
	}
}

func (m *metrics) pass(s *PassSummary) {
	o := string(s.Outcome)
	m.passes.WithLabelValues(o).Inc()
	m.duration.WithLabelValues(o).Observe(s.FinishedAt.Sub(s.StartedAt).Seconds())
	m.lastPass.Set(float64(s.FinishedAt.Unix()))
	for k, n := range s.Items {
		m.items.WithLabelValues(k).Add(float64(n))
	}
	m.messages.WithLabelValues("enqueued").Add(float64(s.Messages))
	for _, f := range s.Files {
		if f.Outcome == FileFailed {
			m.file(FileFailed)
		}
	}
}

// follow counts the attempts of the caller's jobs (the notifications) that
// this process's River client finished: completed is sent, failed or
// cancelled is failed.
func (m *metrics) follow(ctx context.Context, events <-chan *river.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Job == nil || ev.Job.Kind == scheduler.KindInboxFile || ev.Job.Kind == scheduler.KindPass {
				continue
			}
			switch ev.Job.State {
			case rivertype.JobStateCompleted:
				m.messages.WithLabelValues("sent").Inc()
			default:
				m.messages.WithLabelValues("failed").Inc()
			}
		}
	}
}

// dbCollector reads, at each scrape, what the database holds: the job
// queues' depth and the directory's age.
type dbCollector struct{ w *Worker }

var (
	queueDepthDesc = prometheus.NewDesc("rppsync_job_queue_depth",
		"River jobs waiting or running, by queue and state.", []string{"queue", "state"}, nil)
	directoryAgeDesc = prometheus.NewDesc("rppsync_directory_age_seconds",
		"Age of the directory extract loaded (from its date), by kind.", []string{"kind"}, nil)
	scrapeErrorDesc = prometheus.NewDesc("rppsync_scrape_errors",
		"1 when a database figure could not be read at this scrape.", []string{"figure"}, nil)
)

// Describe sends the descriptors of the database metrics.
func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- directoryAgeDesc
	ch <- scrapeErrorDesc
}

// Collect reads the job counts and the directory, in two queries bounded
// by five seconds.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.w.db.JobCounts(ctx)
	fail := 0.0
	if err != nil {
		fail = 1
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, fail, "job_queue_depth")
	for _, jc := range counts {
		switch jc.State {
		case "available", "scheduled", "retryable", "running", "pending":
			ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(jc.Count), jc.Queue, jc.State)
		}
	}
	st, err := c.w.db.DirectoryStatus(ctx)
	fail = 0
	if err != nil && !errors.Is(err, store.ErrNoDirectory) {
		fail = 1
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, fail, "directory_age")
	if err == nil {
		now := c.w.clock.Now()
		ch <- prometheus.MustNewConstMetric(directoryAgeDesc, prometheus.GaugeValue, now.Sub(st.Date).Seconds(), "activity")
		if st.CardExtract != nil {
			ch <- prometheus.MustNewConstMetric(directoryAgeDesc, prometheus.GaugeValue, now.Sub(st.CardExtract.Date).Seconds(), "cards")
		}
	}
}

// Health is the /healthz document.
type Health struct {
	// Status is "ok", "degraded" (the last pass did not end ok, or no
	// directory is loaded) or "down" (the database does not answer).
	Status    string      `json:"status"`
	Database  string      `json:"database"` // "ok" or the error
	LastPass  *PassHealth `json:"last_pass"`
	Directory *DirHealth  `json:"directory"`
}

// PassHealth is the last finished pass in Health.
type PassHealth struct {
	RunID      int64            `json:"run_id"`
	Outcome    store.RunOutcome `json:"outcome"`
	ErrorCode  string           `json:"error_code,omitempty"`
	FinishedAt time.Time        `json:"finished_at"`
	AgeSeconds int64            `json:"age_seconds"`
}

// DirHealth is the directory loaded in Health.
type DirHealth struct {
	Name       string    `json:"name"`
	Date       time.Time `json:"date"`
	AgeSeconds int64     `json:"age_seconds"`
}

// Health reads the database's state, the last finished pass and the
// directory loaded.
func (w *Worker) Health(ctx context.Context) Health {
	h := Health{Status: "ok", Database: "ok"}
	if err := w.db.Ping(ctx); err != nil {
		h.Status, h.Database = "down", err.Error()
		return h
	}
	now := w.clock.Now()
	runs, err := w.db.Runs(ctx, store.RunFilter{Limit: 1, Finished: true})
	switch {
	case err != nil:
		h.Status, h.Database = "down", err.Error()
		return h
	case len(runs) == 0:
		h.Status = "degraded"
	default:
		r := runs[0]
		h.LastPass = &PassHealth{RunID: r.ID, Outcome: r.Outcome, ErrorCode: r.ErrorCode, FinishedAt: *r.FinishedAt,
			AgeSeconds: int64(now.Sub(*r.FinishedAt).Seconds())}
		if r.Outcome != store.RunOK {
			h.Status = "degraded"
		}
	}
	st, err := w.db.DirectoryStatus(ctx)
	switch {
	case err == nil:
		h.Directory = &DirHealth{Name: st.Name, Date: st.Date, AgeSeconds: int64(now.Sub(st.Date).Seconds())}
	case errors.Is(err, store.ErrNoDirectory):
		h.Status = "degraded"
	default:
		h.Status, h.Database = "down", err.Error()
	}
	return h
}

// Handler serves /healthz (Health as JSON: 200, or 503 when the database
// is down) and /metrics (Prometheus text format).
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		h := w.Health(ctx)
		rw.Header().Set("Content-Type", "application/json")
		if h.Status == "down" {
			rw.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(rw).Encode(h)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(w.metrics.reg, promhttp.HandlerOpts{}))
	return mux
}
