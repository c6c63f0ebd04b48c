package kubelease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// Defaults, as kube-controller-manager and most controllers use them.
const (
	DefaultName          = "reconciler"
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// Config configures an Elector. Client and Namespace are required.
type Config struct {
	Client    kubernetes.Interface
	Namespace string
	Name      string // of the Lease; default DefaultName
	// Identity of this process in the Lease's holderIdentity; default: NewIdentity().
	Identity string
	// LeaseDuration, RenewDeadline and RetryPeriod are client-go's (defaults above);
	// LeaseDuration > RenewDeadline > 1.2 × RetryPeriod.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	Log                                       *slog.Logger // default: discard
	// OnLeading, when set, is called each time this process starts leading (e.g. to run a pass
	// at once). It must not block.
	OnLeading func()
}

// Elector holds, or campaigns for, one Lease. It implements runner.Leadership.
type Elector struct {
	cfg     Config
	lock    *trackingLock
	clock   clock.PassiveClock
	leading atomic.Bool
	renewed atomic.Int64 // unix ns when the last successful write of our record began; 0: released
	leader  atomic.Value // string: the last observed holder
}

// New checks cfg and builds the Lease lock. It does no I/O.
func New(cfg Config) (*Elector, error) {
	if cfg.Client == nil || cfg.Namespace == "" {
		return nil, errors.New("kubelease: Client and Namespace are required")
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.LeaseDuration == 0 {
		cfg.LeaseDuration = DefaultLeaseDuration
	}
	if cfg.RenewDeadline == 0 {
		cfg.RenewDeadline = DefaultRenewDeadline
	}
	if cfg.RetryPeriod == 0 {
		cfg.RetryPeriod = DefaultRetryPeriod
	}
	if cfg.Identity == "" {
		id, err := NewIdentity()
		if err != nil {
			return nil, err
		}
		cfg.Identity = id
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	e := &Elector{cfg: cfg, clock: clock.RealClock{}}
	e.lock = &trackingLock{Interface: &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: cfg.Namespace, Name: cfg.Name},
		Client:     cfg.Client.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: cfg.Identity},
	}, e: e}
	e.leader.Store("")
	// Validate the durations now, not at Run: a bad flag fails the command at start.
	if _, err := e.elector(); err != nil {
		return nil, err
	}
	return e, nil
}

// Leading reports whether this process holds the Lease now: between OnStartedLeading and
// OnStoppedLeading, and within RenewDeadline of the last successful renewal (so a renew loop
// stuck in a slow request does not keep a stale leader writing).
func (e *Elector) Leading() bool {
	renewed := e.renewed.Load()
	if !e.leading.Load() || renewed == 0 {
		return false
	}
	return e.clock.Since(time.Unix(0, renewed)) < e.cfg.RenewDeadline
}

// Identity is this process's holder identity.
func (e *Elector) Identity() string { return e.cfg.Identity }

// Leader is the last holder observed ("" before any), for logs and tests.
func (e *Elector) Leader() string { return e.leader.Load().(string) }

// Run campaigns for the Lease until ctx is done, renews it while leading, and campaigns again
// after losing it. When ctx ends it releases the Lease if held (ReleaseOnCancel) and returns
// once released.
func (e *Elector) Run(ctx context.Context) error {
	// client-go's elector logs through the context's logger: route it to ours.
	ctx = klog.NewContext(ctx, logr.FromSlogHandler(e.cfg.Log.Handler()))
	for ctx.Err() == nil {
		le, err := e.elector()
		if err != nil {
			return err
		}
		le.Run(ctx) // returns when ctx is done or the lease is lost
	}
	return nil
}

func (e *Elector) elector() (*leaderelection.LeaderElector, error) {
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            e.lock,
		LeaseDuration:   e.cfg.LeaseDuration,
		RenewDeadline:   e.cfg.RenewDeadline,
		RetryPeriod:     e.cfg.RetryPeriod,
		ReleaseOnCancel: true,
		Name:            e.cfg.Namespace + "/" + e.cfg.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(context.Context) {
				e.leading.Store(true)
				e.cfg.Log.Info("leading: this process applies and commits", "lease", e.lock.Describe(), "identity", e.cfg.Identity)
				if e.cfg.OnLeading != nil {
					e.cfg.OnLeading()
				}
			},
			OnStoppedLeading: func() {
				// Called whenever an elector's Run returns, leading or not.
				e.renewed.Store(0)
				if e.leading.Swap(false) {
					e.cfg.Log.Info("stopped leading: this process only plans", "lease", e.lock.Describe(), "identity", e.cfg.Identity)
				}
			},
			OnNewLeader: func(id string) {
				e.leader.Store(id)
				if id != e.cfg.Identity {
					e.cfg.Log.Info("following", "lease", e.lock.Describe(), "leader", id)
				}
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	return le, nil
}

// NewIdentity is the hostname (the pod name in a cluster) and a random suffix, so two processes
// on one host never share an identity.
func NewIdentity() (string, error) {
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("leader identity: %w", err)
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("leader identity: %w", err)
	}
	return host + "_" + hex.EncodeToString(b), nil
}

// ServiceAccountNamespaceFile is where a pod reads its own namespace.
const ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// PodNamespace is the namespace in file (ServiceAccountNamespaceFile in a pod), else "default".
func PodNamespace(file string) string {
	if b, err := os.ReadFile(file); err == nil {
		if ns := strings.TrimSpace(string(b)); ns != "" {
			return ns
		}
	}
	return metav1.NamespaceDefault
}

// trackingLock is the Lease lock, seen by the Elector: it records when our record was last
// written, and stops leading before the record is handed away (released), so Leading is never
// true once another process may acquire the Lease.
type trackingLock struct {
	resourcelock.Interface
	e *Elector
}

func (l *trackingLock) Create(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
	return l.write(r, func() error { return l.Interface.Create(ctx, r) })
}

func (l *trackingLock) Update(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
	return l.write(r, func() error { return l.Interface.Update(ctx, r) })
}

func (l *trackingLock) write(r resourcelock.LeaderElectionRecord, do func() error) error {
	if r.HolderIdentity != l.Identity() {
		// A release (ReleaseOnCancel): stop leading before another process can acquire. The
		// stamp matters too: OnStartedLeading runs in its own goroutine and may come late.
		l.e.renewed.Store(0)
		l.e.leading.Store(false)
		return do()
	}
	began := l.e.clock.Now()
	err := do()
	if err == nil {
		l.e.renewed.Store(began.UnixNano())
	}
	return err
}
