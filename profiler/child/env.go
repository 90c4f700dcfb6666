package child

import (
	"fmt"
	"strings"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// eventsFD is the child's file descriptor number for the event stream: the
// first of exec.Cmd.ExtraFiles.
const eventsFD = 3

// childEnv builds the child's environment: base (os.Environ), then extra,
// then GOGC and GOMEMLIMIT when set, GODEBUG with gctrace=1 merged into the
// user's settings, and the event stream's descriptor. Later entries win;
// each key appears once, in the order of its first appearance.
func childEnv(base, extra []string, gogc, memLimit string) ([]string, error) {
	env := newEnvList(base)
	for _, kv := range extra {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("environment entry %q is not KEY=VALUE", kv)
		}
		env.set(k, v)
	}
	if gogc != "" {
		v, err := units.ParseGOGC(gogc)
		if err != nil {
			return nil, fmt.Errorf("GOGC: %w", err)
		}
		env.set("GOGC", v)
	}
	if memLimit != "" {
		v, err := units.ParseMemLimit(memLimit)
		if err != nil {
			return nil, fmt.Errorf("GOMEMLIMIT: %w", err)
		}
		env.set("GOMEMLIMIT", v)
	}
	godebug, _ := env.get("GODEBUG")
	env.set("GODEBUG", mergeGODEBUG(godebug, "gctrace=1"))
	env.set(record.EventsFDEnv, fmt.Sprint(eventsFD))
	return env.list(), nil
}

// mergeGODEBUG adds setting (key=value) to a GODEBUG value, replacing any
// setting of the same key and keeping the others in order.
func mergeGODEBUG(godebug, setting string) string {
	key, _, _ := strings.Cut(setting, "=")
	var out []string
	for _, s := range strings.Split(godebug, ",") {
		s = strings.TrimSpace(s)
		k, _, _ := strings.Cut(s, "=")
		if s == "" || k == key {
			continue
		}
		out = append(out, s)
	}
	return strings.Join(append(out, setting), ",")
}

// godebugHas reports whether a GODEBUG value sets key.
func godebugHas(godebug, key string) bool {
	for _, s := range strings.Split(godebug, ",") {
		if k, _, _ := strings.Cut(strings.TrimSpace(s), "="); k == key {
			return true
		}
	}
	return false
}

// envList is an environment with unique keys that keeps insertion order.
type envList struct {
	keys []string
	vals map[string]string
}

func newEnvList(environ []string) *envList {
	e := &envList{vals: map[string]string{}}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e.set(k, v)
		}
	}
	return e
}

func (e *envList) set(k, v string) {
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

func (e *envList) get(k string) (string, bool) {
	v, ok := e.vals[k]
	return v, ok
}

func (e *envList) list() []string {
	out := make([]string, len(e.keys))
	for i, k := range e.keys {
		out[i] = k + "=" + e.vals[k]
	}
	return out
}
