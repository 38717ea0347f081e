//go:build !unix

package inbox

import "os"

const openFlags = os.O_RDONLY
