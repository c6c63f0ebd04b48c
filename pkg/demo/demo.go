package demo

import (
	"context"
	"errors"
	"fmt"
	"github.com/scaleway-gitops/reconciler/pkg/engine"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scaleway-gitops/reconciler/examples"
	"github.com/scaleway-gitops/reconciler/pkg/apply"
	"github.com/scaleway-gitops/reconciler/pkg/cloud"
	"github.com/scaleway-gitops/reconciler/pkg/cloud/scaleway"
	"github.com/scaleway-gitops/reconciler/pkg/emulator"
	"github.com/scaleway-gitops/reconciler/pkg/repofs"
	"github.com/scaleway-gitops/reconciler/pkg/revision"
	"github.com/scaleway-gitops/reconciler/pkg/runner"
	"github.com/scaleway-gitops/reconciler/pkg/source"
	"github.com/scaleway-gitops/reconciler/pkg/spec"
	"github.com/scaleway-gitops/reconciler/pkg/status"
)

// Options configure a demo run.
type Options struct {
	// Dir is where the repository, the emulator state and the cache are created; default a new
	// temporary directory (kept, so the reports can be read afterwards).
	Dir string
	Out io.Writer
	// Dwell are the emulator's timings; default emulator.DemoDwell.
	Dwell *emulator.Dwell
	// Timeout bounds each step; default 90s.
	StepTimeout time.Duration
}

// The demo plays the user on these example clusters: payments is upgraded (two minors up
// when the catalog offers them), prod-par drifts.
const (
	upgradeCluster = "payments"
	upgradeFile    = "clusters/payments-dedicated.yaml"
	driftCluster   = "prod-par"
)

// demoCredentials are well-formed fake credentials: the emulator accepts any token.
var demoCredentials = scaleway.Credentials{
	AccessKey: "SCWDEMO0000000000000", SecretKey: "00000000-0000-4000-8000-00000000de00", Region: "fr-par",
}

type demo struct {
	o      Options
	out    io.Writer
	start  time.Time
	mu     sync.Mutex
	emu    *emulator.Server
	prov   *scaleway.Provider
	run    *runner.Runner
	clock  *shiftedClock
	bare   string
	user   *user
	events chan runner.Event
	// upgradeTo is the minor the upgrade chapter moves payments to.
	upgradeTo string
}

// Run runs the demo to its end, or returns the first step that failed.
func Run(ctx context.Context, o Options) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.StepTimeout == 0 {
		o.StepTimeout = 90 * time.Second
	}
	if o.Dir == "" {
		d, err := os.MkdirTemp("", "reconciler-demo-")
		if err != nil {
			return err
		}
		o.Dir = d
	} else if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	d := &demo{o: o, out: o.Out, start: time.Now(), clock: &shiftedClock{}, events: make(chan runner.Event, 256)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop, err := d.setUp(ctx)
	if err != nil {
		return err
	}
	defer stop()
	for _, step := range []func(context.Context) error{d.provision, d.upgrade, d.drift, d.badPush, d.previewPR, d.rotation} {
		sctx, scancel := context.WithTimeout(ctx, o.StepTimeout)
		err := step(sctx)
		scancel()
		if err != nil {
			return err
		}
	}
	return d.finish()
}

func (d *demo) say(format string, a ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, "[%5.1fs] %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, a...))
}

func (d *demo) title(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, "\n== %s\n", s)
}

// setUp starts the emulator, creates the repository and starts the run loop.
func (d *demo) setUp(ctx context.Context) (func(), error) {
	d.title("Setting up: the Scaleway API emulator, a Git repository from examples/, the run loop")
	dwell := emulator.DemoDwell
	if d.o.Dwell != nil {
		dwell = *d.o.Dwell
	}
	emu, err := emulator.New(emulator.Options{Dwell: dwell, StateFile: filepath.Join(d.o.Dir, "emulator-state.json"),
		Logf: func(string, ...any) {}})
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	apiURL := "http://" + ln.Addr().String()
	d.emu = emu
	d.say("Scaleway Kubernetes API emulator listening on %s (SCW_API_URL)", apiURL)

	d.bare = filepath.Join(d.o.Dir, "fleet.git")
	offered := offeredMinors(d.clock.Now())
	var seeded []string
	d.user, err = newRepo(d.bare, filepath.Join(d.o.Dir, "work"), examples.FS, func(p string, b []byte) []byte {
		out, what := seedVersion(b, offered)
		if what != "" {
			seeded = append(seeded, p+": "+what)
		}
		return out
	})
	if err != nil {
		hs.Close()
		return nil, fmt.Errorf("create repository: %w", err)
	}
	d.say("Git repository %s holds examples/ (reconciler.yaml and 4 clusters)", d.bare)
	for _, s := range seeded {
		d.say("  seeded %s", s)
	}

	creds := demoCredentials
	eng, err := engine.New(engine.Config{APIURL: apiURL, Credentials: &creds, UserAgentVersion: "demo", Clock: d.clock,
		PollInterval: 500 * time.Millisecond, ProgressEvery: 5 * time.Second,
		Progress: func(ev apply.Event) { d.say("  apply: %s", ev.Message) }})
	if err != nil {
		hs.Close()
		return nil, err
	}
	d.prov = eng.Provider
	src, err := source.New(source.Options{URL: d.bare, CacheDir: filepath.Join(d.o.Dir, "cache")})
	if err != nil {
		hs.Close()
		return nil, err
	}
	d.run = eng.Runner(src)
	d.run.Interval, d.run.DriftInterval = 2*time.Second, 4*time.Second
	d.run.Author = source.Author{Name: "reconciler", Email: "reconciler@example.com"}
	d.run.DefaultProjectID, d.run.DefaultRegion = emulator.DefaultProjectID, "fr-par"
	d.run.Notify = func(ev runner.Event) {
		if !strings.HasSuffix(ev.Message, ": 0 create, 0 update, 0 upgrade, 0 replace, 0 delete, 0 rotate, 0 deferred") {
			d.say("run: %s", ev.Message) // an idle pass (the window stays open) is not news
		}
		select {
		case d.events <- ev:
		default:
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.run.Run(rctx) }()
	d.say("run loop started: interval 2s, drift check every 4s (production defaults: 1m and 10m)")
	return func() { cancel(); <-done; hs.Close() }, nil
}

// statusOf reads a cluster's status from the remote branch.
func (d *demo) statusOf(cluster string) *status.ClusterStatus {
	sp, _ := status.Paths(cluster)
	out, err := git(d.bare, "show", "main:"+sp)
	if err != nil {
		return nil
	}
	s, err := status.ParseYAML([]byte(out))
	if err != nil {
		return nil
	}
	return s
}

func ready(s *status.ClusterStatus) bool {
	if s == nil {
		return false
	}
	for _, c := range s.Conditions {
		if c.Type == status.Ready {
			return c.Status == "True"
		}
	}
	return false
}

// waitFor polls cond until it holds, the step's context ends, or the loop reports an error.
func (d *demo) waitFor(ctx context.Context, what string, cond func() bool) error {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo step %q did not finish: %w", what, ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

func (d *demo) clusters() ([]*spec.Cluster, error) {
	repo, err := spec.Load(repofs.Dir(d.user.dir))
	if err != nil {
		return nil, err
	}
	return repo.Clusters, nil
}

func (d *demo) provision(ctx context.Context) error {
	d.title("1. Provisioning: the loop applies the pushed specs and commits status back")
	cs, err := d.clusters()
	if err != nil {
		return err
	}
	err = d.waitFor(ctx, "provisioning", func() bool {
		for _, c := range cs {
			if !ready(d.statusOf(c.Metadata.Name)) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, c := range cs {
		s := d.statusOf(c.Metadata.Name)
		nodes := 0
		for _, p := range s.Pools {
			nodes += len(p.Nodes)
		}
		d.say("%s is Ready: %s %s, %d pool(s), %d node(s)", s.Cluster, s.Type, s.Version, len(s.Pools), nodes)
	}
	return nil
}

func (d *demo) upgrade(ctx context.Context) error {
	d.title("2. A chained minor upgrade, held until its maintenance window")
	b, err := os.ReadFile(filepath.Join(d.user.dir, upgradeFile))
	if err != nil {
		return err
	}
	from := specVersion(b)
	to, err := upgradeTarget(from, offeredMinors(d.clock.Now()))
	if err != nil {
		return err
	}
	err = d.user.edit(upgradeFile, func(s string) string { return strings.Replace(s, `version: "`+from+`"`, `version: "`+to+`"`, 1) })
	if err != nil {
		return err
	}
	rev, err := d.user.commitAndPush("payments: upgrade to Kubernetes " + to)
	if err != nil {
		return err
	}
	d.say("user pushed %s: %s version %s -> %s (Scaleway accepts one minor per upgrade: the reconciler chains them)", revision.Short(rev), upgradeCluster, from, to)
	d.upgradeTo = to
	d.run.Trigger("push")
	var deferred []status.Pending
	err = d.waitFor(ctx, "plan the upgrade", func() bool {
		s := d.statusOf(upgradeCluster)
		if s == nil || s.LastAttemptedRevision != rev {
			return false
		}
		deferred = s.Deferred
		return len(s.UpgradePath) > 0
	})
	if err != nil {
		return err
	}
	for _, p := range deferred {
		d.say("deferred %s: %s (%s)", p.ID, p.Why, p.Message)
	}
	cs, err := d.clusters()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cs, func(c *spec.Cluster) bool { return c.Metadata.Name == upgradeCluster })
	if i < 0 || cs[i].Spec.Upgrade == nil || cs[i].Spec.Upgrade.Window == nil {
		return errors.New("the example cluster has no upgrade window")
	}
	w := cs[i].Spec.Upgrade.Window
	win, err := w.Parse()
	if err != nil {
		return err
	}
	next, _ := win.Next(d.clock.Now())
	at := next.Start.Add(time.Minute)
	d.clock.jumpTo(at)
	d.say("moving the reconciler's clock to %s, inside the window %q %s (%s)", at.In(win.Location).Format("Mon 2006-01-02 15:04 MST"), w.Schedule, w.Duration.Duration, w.TimeZone)
	d.run.Trigger("window")
	err = d.waitFor(ctx, "upgrade", func() bool {
		s := d.statusOf(upgradeCluster)
		return s != nil && ready(s) && strings.HasPrefix(s.Version, d.upgradeTo+".") && len(s.UpgradePath) == 0
	})
	if err != nil {
		return err
	}
	s := d.statusOf(upgradeCluster)
	var hops []string
	for _, a := range s.RecentActions {
		hops = append(hops, a.ID)
	}
	d.say("%s upgraded to %s, in order: %s", upgradeCluster, s.Version, strings.Join(hops, ", "))
	return nil
}

func (d *demo) drift(ctx context.Context) error {
	d.title("3. Drift: someone changes the cluster behind Git's back")
	live, err := d.live(ctx, driftCluster)
	if err != nil {
		return err
	}
	tags := append(slices.Clone(live.Tags), "hand-edited")
	if err := d.emu.PatchCluster(live.ID, map[string]any{"tags": tags}); err != nil {
		return err
	}
	d.say("out of band: %s tags set to %v on the API", driftCluster, tags)
	err = d.waitFor(ctx, "revert drift", func() bool {
		c, err := d.live(ctx, driftCluster)
		if err != nil || slices.Contains(c.Tags, "hand-edited") {
			return false
		}
		s := d.statusOf(driftCluster)
		return s != nil && slices.ContainsFunc(s.RecentActions, func(a status.ActionOutcome) bool {
			return strings.Contains(a.ID, "update-cluster") && a.Outcome == "done"
		})
	})
	if err != nil {
		return err
	}
	c, _ := d.live(ctx, driftCluster)
	d.say("drift reverted: %s tags are %v again", driftCluster, c.Tags)
	for _, r := range d.statusOf(driftCluster).DriftReverted {
		d.say("status and report record it: %s was %v, set back to %v at %s by %s", r.Field, r.Before, r.After, r.At.Format("2006-01-02 15:04:05 MST"), r.Action)
	}
	return nil
}

func (d *demo) live(ctx context.Context, name string) (*cloud.Cluster, error) {
	snap, err := d.prov.Observe(ctx, cloud.Ref{Region: "fr-par", ProjectID: d.projectID()})
	if err != nil {
		return nil, err
	}
	for i := range snap.Clusters {
		if snap.Clusters[i].Name == name {
			return &snap.Clusters[i], nil
		}
	}
	return nil, fmt.Errorf("cluster %q not found", name)
}

func (d *demo) projectID() string {
	cs, err := d.clusters()
	if err == nil && len(cs) > 0 && cs[0].Spec.ProjectID != "" {
		return cs[0].Spec.ProjectID
	}
	return emulator.DefaultProjectID
}

func (d *demo) finish() error {
	d.title("The repository now holds the reconciler's status and report commits")
	log, err := git(d.bare, "log", "--format=%h %an: %s", "main")
	if err != nil {
		return err
	}
	fmt.Fprintln(d.out, log)
	if _, err := git(d.user.dir, "pull", "--quiet", "--rebase", "origin", "main"); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nRead the reports in %s/reports/*.md and the status in %s/status/*.yaml\n", d.user.dir, d.user.dir)
	fmt.Fprintf(d.out, "(a clone of %s; `git -C %s log --stat` shows what the reconciler wrote).\n", d.bare, d.user.dir)
	return nil
}
