// Prints what Tekton's readTarLayer reads from a layer archive with Go's archive/tar: the first
// entry's header.Size bytes (base64), or "ERROR: ..." when Go does not read it as a tar (Tekton then
// reads the raw layer). Used by TektonReadingParityTest.
package main

import (
	"archive/tar"
	"encoding/base64"
	"fmt"
	"io"
	"os"
)

func main() {
	tr := tar.NewReader(os.Stdin)
	h, err := tr.Next()
	if err != nil {
		fmt.Println("ERROR: " + err.Error())
		os.Exit(1)
	}
	contents := make([]byte, h.Size)
	if _, err := io.ReadFull(tr, contents); err != nil && err != io.EOF {
		fmt.Println("ERROR: " + err.Error())
		os.Exit(1)
	}
	fmt.Println(base64.StdEncoding.EncodeToString(contents))
}
