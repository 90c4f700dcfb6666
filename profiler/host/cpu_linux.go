package host

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU runs f on a locked OS thread and returns the CPU time that
// thread spent in it (CLOCK_THREAD_CPUTIME_ID), user and system: the
// kernel's work for a /proc read, without time spent waiting.
func threadCPU(f func()) time.Duration {
	const clockThreadCPUTimeID = 3
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var a, b syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&a)), 0)
	f()
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&b)), 0)
	return time.Duration(b.Nano() - a.Nano())
}
