# The two commands a newcomer needs: `make demo` and `make test`.
GO      ?= go
BIN     ?= bin/reconciler
PKGS    ?= ./...

.PHONY: all build test test-short demo docs bench lint fmt vet clean k8s-testbin gitea

all: build

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/reconciler

## test: the whole suite (what CI runs), against a real kube-apiserver (see k8s-testbin) and a real
## Gitea (see gitea): both are built once and cached, so the forge tests run instead of skipping
test: k8s-testbin gitea
	$(GO) vet $(PKGS)
	K8S_TESTBIN_DIR="$$(hack/k8s-testbin/build.sh)" GITEA_DIR="$$(hack/gitea/build.sh)" $(GO) test -race -count=1 -timeout 30m $(PKGS)

## k8s-testbin: build kube-apiserver, kube-controller-manager and etcd from the Go module proxy into
## $K8S_TESTBIN_DIR (default ~/.cache/reconciler/k8s-testbin/<key>); cold ~10-15 min, then a stamp check
k8s-testbin:
	@hack/k8s-testbin/build.sh

## gitea: build the Gitea server the forge tests use, from the Go module proxy, into $GITEA_DIR
## (default ~/.cache/reconciler/gitea/<version>-<go>); tests that need it skip when it is absent
gitea:
	@hack/gitea/build.sh

## test-short: the quick unit tests only
test-short:
	$(GO) test -short -count=1 $(PKGS)

## demo: the main job on the embedded default
demo: build
	$(BIN) demo

## docs: regenerate the CLI reference (docs/cli/) and the -h goldens from the commands; a test fails
## while they are stale
docs:
	$(GO) test -count=1 -run 'TestCLIReferenceIsCurrent|TestHelpGolden' ./cmd/reconciler -update

## bench: benchmarks, each printing ratios against a baseline measured in the same run
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x $(PKGS)

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
