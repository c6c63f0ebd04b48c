package drain

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// Ping answers when the nodes can be listed, and says why not otherwise (a pool replacement
// checks it before any change).
func TestPing(t *testing.T) {
	c := fake.NewClientset(fakeNode("n1", false))
	d := &Drainer{Client: c}
	if err := d.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	c.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", nil)
	})
	if err := d.Ping(context.Background()); err == nil || !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "list nodes") {
		t.Errorf("ping of a forbidden list: %v", err)
	}
}
