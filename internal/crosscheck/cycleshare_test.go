package crosscheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/internal/testservice"
)

// TestCycleShareAbove100 holds the explanation the report gives for
// per-cycle GC CPU shares above 100% (analyze/report overShares) against
// the runtime itself: testdata/progs/cycleshare reads runtime/metrics as the
// probe does while spinners contend for the CPU. Every share above 100% must
// come from a read made after the next cycle had begun (its first pause is
// then in the GC CPU while the available CPU waits for a cycle end), and
// the share between reads with no cycle in progress must never exceed 100%.
func TestCycleShareAbove100(t *testing.T) {
	contend(t, 3, 4*time.Second)
	cmd := exec.Command(prog(t, "cycleshare"), "-duration", "2s", "-every", "10ms")
	cmd.Env = append(testservice.WithoutGCEnv(os.Environ()), "GOGC=5", "GOMAXPROCS=2")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cycleshare: %v\n%s", err, stderr.String())
	}
	var r struct {
		CycleReads, Begun, Over, OverBegun, CleanWindows, Stalled int
		Max, CleanMax                                             float64
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: stdout %q, stderr %q", err, out, stderr.String())
	}
	t.Logf("%d reads saw a cycle end (%d after the next had begun, %d more before the available CPU moved); %d shares above 100%% (max %.0f%%), %d of them after the next had begun; %d whole windows, max %.0f%%",
		r.CycleReads, r.Begun, r.Stalled, r.Over, r.Max*100, r.OverBegun, r.CleanWindows, r.CleanMax*100)
	if r.CycleReads < 10 || r.CleanWindows < 3 {
		t.Fatalf("too few cycles to say anything: %+v", r)
	}
	if r.OverBegun != r.Over {
		t.Errorf("%d of %d shares above 100%% were read with no cycle begun: the explanation does not hold", r.Over-r.OverBegun, r.Over)
	}
	if r.CleanMax > 1 {
		t.Errorf("a window between reads with no cycle in progress had a share of %.0f%%", r.CleanMax*100)
	}
}
