package profiles

import (
	"fmt"

	"github.com/google/pprof/profile"
)

// Diff returns p minus base: base scaled by -1, labelled pprof::base=true
// and merged with p, as go tool pprof -diff_base does. With normalize, base
// is first scaled so that its totals match p's, so the diff shows changes in
// shape rather than in volume. Neither argument is changed. Sample types
// that only one of the two profiles has are dropped.
func Diff(base, p *profile.Profile, normalize bool) (d *profile.Profile, err error) {
	return merge(base, p, normalize, true)
}

// Subtract returns p minus base as go tool pprof -base does: base scaled by
// -1 and merged with p without a label, so that each stack's samples
// become one sample of its change. Shares of a Top of the result (with
// TopOptions.Diff) are then of the sum of the changes' absolute values,
// which is close to p's total when base is small (a profile taken at the
// start), where Diff's shares of the base's total run into thousands of
// percent.
func Subtract(base, p *profile.Profile, normalize bool) (d *profile.Profile, err error) {
	return merge(base, p, normalize, false)
}

func merge(base, p *profile.Profile, normalize, label bool) (d *profile.Profile, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("pprof panicked while merging the profiles: %s", oneLine(fmt.Sprint(r)))
		}
	}()
	b, n := base.Copy(), p.Copy()
	if err := profile.CompatibilizeSampleTypes([]*profile.Profile{b, n}); err != nil {
		return nil, fmt.Errorf("the base and the profile have no sample type in common: %v", err)
	}
	if normalize {
		if err := b.Normalize(n); err != nil {
			return nil, fmt.Errorf("normalizing the base: %v", err)
		}
	}
	b.Scale(-1)
	if label {
		b.SetLabel("pprof::base", []string{"true"})
	}
	d, err = profile.Merge([]*profile.Profile{n, b})
	if err != nil {
		return nil, fmt.Errorf("the base can not be merged with the profile: %v", err)
	}
	return d, nil
}
