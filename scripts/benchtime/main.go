// Command benchtime runs a command once and prints its wall time in seconds,
// its peak resident set size in KiB (getrusage's maxrss) and its CPU time
// (user + system) in seconds, on one line: "WALL MAXRSS_KIB CPU". On a
// busy machine the CPU time is the steadier of the two times. The command's own output goes to the file
// given with -out. It is what scripts/bench-analyze.sh uses instead of
// /usr/bin/time, which a machine may not have.
//
//	go run ./scripts/benchtime -out /tmp/out -- gcprobe analyze heap.pb.gz
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	out := flag.String("out", os.DevNull, "file for the command's stdout and stderr")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("benchtime: no command given")
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		log.Fatalf("benchtime: %s: %v (output in %s)", flag.Arg(0), err, *out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		log.Fatal("benchtime: no rusage on this system")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%.3f %d %.3f\n", wall.Seconds(), ru.Maxrss, cpu.Seconds()) // Linux reports maxrss in KiB
}
