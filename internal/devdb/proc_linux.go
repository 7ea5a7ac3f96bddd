package devdb

import "syscall"

// sysProcAttr makes the kernel stop the server when incubot dies, so no
// orphan keeps the data directory open.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
}
