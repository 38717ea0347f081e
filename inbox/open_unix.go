//go:build unix

package inbox

import "syscall"

// openFlags never block on a FIFO that replaced a regular file between the
// directory listing and the open.
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK
