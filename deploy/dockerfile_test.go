package deploy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd, args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// stages splits the instructions at each FROM.
func stages(ins []instruction) [][]instruction {
	var s [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			s = append(s, nil)
		}
		if len(s) > 0 {
			s[len(s)-1] = append(s[len(s)-1], in)
		}
	}
	return s
}

func TestDockerfile(t *testing.T) {
	st := stages(parseDockerfile(t, "../Dockerfile"))
	if len(st) < 2 {
		t.Fatalf("%d stages, want a multi-stage build (build, then run)", len(st))
	}
	build, final := st[0], st[len(st)-1]
	if from := build[0].args; !strings.HasPrefix(from, "golang:1.26") || !strings.HasSuffix(from, " AS build") {
		t.Errorf("build stage FROM %q, want golang:1.26… AS build", from)
	}
	var built bool
	for _, in := range build {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			built = true
			for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/reconciler"} {
				if !strings.Contains(in.args, want) {
					t.Errorf("go build step %q lacks %s", in.args, want)
				}
			}
		}
	}
	if !built {
		t.Error("the build stage never runs go build")
	}

	if from := final[0].args; !strings.HasPrefix(from, "gcr.io/distroless/static") || !strings.HasSuffix(from, ":nonroot") {
		t.Errorf("final stage FROM %q, want distroless/static…:nonroot", from)
	}
	var user, entrypoint string
	for _, in := range final {
		switch in.cmd {
		case "RUN":
			t.Errorf("final stage RUNs %q: distroless has no shell", in.args)
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "COPY":
			if !strings.Contains(in.args, "--from=build") {
				t.Errorf("final stage COPY %q not from the build stage", in.args)
			}
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "0" || u == "root" {
		t.Errorf("final USER %q, want a non-root user", user)
	}
	var argv []string
	if err := json.Unmarshal([]byte(entrypoint), &argv); err != nil || len(argv) != 1 || !strings.HasSuffix(argv[0], "/reconciler") {
		t.Errorf("ENTRYPOINT %s, want the exec form [\".../reconciler\"] (no shell)", entrypoint)
	}
}

// TestDockerignore keeps the build context sufficient: go build needs the module
// files, the code and the embedded schemas and examples.
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	ignored := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			ignored[strings.Trim(line, "/")] = true
		}
	}
	for _, need := range []string{"go.mod", "go.sum", "cmd", "pkg", "schemas", "examples"} {
		if ignored[need] {
			t.Errorf(".dockerignore drops %s, which the build needs", need)
		}
	}
	if !ignored[".git"] {
		t.Error(".dockerignore keeps .git in the build context")
	}
}
