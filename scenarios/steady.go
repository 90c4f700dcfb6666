package scenarios

// steady is the leak scenario without its leak: the same steady load over
// the same fixed live set, whose live heap does not grow. It is the known
// answer "steady" against leak's "grows".
func steady() Scenario {
	s := Scenario{
		Name: "steady",
		Doc:  "steady load over a fixed live set: the leak scenario without its leak; the live heap stays flat",
		Params: append(commonParams("30s", "2s", "1000"),
			Param{"base", String, "32MiB", "the fixed live set the requests read"},
			Param{"garbage", String, "64KiB", "short-lived bytes each request allocates"},
		),
	}
	s.Prepare = func(p *Params) (Workload, error) { return prepareService(p, s, false) }
	return s
}
