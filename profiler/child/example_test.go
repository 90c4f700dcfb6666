package child_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/gcprobe/gcprobe/profiler/child"
	"github.com/gcprobe/gcprobe/record"
)

// Run a server for 30 seconds with GOGC=200 and a 2 GiB memory limit, and
// record its GC cycles, RSS and CPU.
func ExampleRun() {
	f, err := os.Create("server.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	res, err := child.Run(context.Background(), child.Options{
		Command:  []string{"./server", "-port", "8080"},
		GOGC:     "200",
		MemLimit: "2GiB",
		Duration: 30 * time.Second,
		Record:   f,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr, // the server's own stderr lines; gctrace is consumed
	})
	if err != nil {
		log.Fatal(err) // not started, or the record could not be written
	}
	run, err := record.ReadFile("server.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Reason, len(run.Events))
}
