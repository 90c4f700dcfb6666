package record

// The wire types of the gcprobe agent (profiler.Probe.Handler), defined here
// once so that the agent that serves them and the client that polls them
// (gcprobe attach) cannot drift apart.

// AgentStatus is the agent's answer at GET /debug/gcprobe/: who the process
// is, its latest sample (taken at T seconds after Header.Start), and the
// cursor of the next event. A client checks Header.Schema with CheckSchema
// as a reader checks a file's.
type AgentStatus struct {
	Header Header  `json:"header"`
	T      float64 `json:"t"`
	Sample Sample  `json:"sample"`
	Next   uint64  `json:"next"`
	// FlightRecorder says the agent serves snapshots of the process's
	// runtime flight recorder at /debug/gcprobe/trace.
	FlightRecorder bool `json:"flight_recorder,omitempty"`
}

// AgentPage is the agent's answer at GET /debug/gcprobe/events?since=N: the
// events from cursor N on, the cursor to ask for next, and how many events
// from N on were no longer kept.
type AgentPage struct {
	Next   uint64  `json:"next"`
	Lost   uint64  `json:"lost"`
	Events []Event `json:"events"`
}
