// Prints Tekton's JSON reading of a YAML document: sigs.k8s.io/yaml.YAMLToJSON, the conversion
// Tekton's decoders apply before JSON decoding. Reads stdin; prints the JSON, or "ERROR: ..." and
// exits 1. Used by TektonReadingParityTest; built offline in GOPATH mode.
package main

import (
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Println("ERROR: " + err.Error())
		os.Exit(1)
	}
	out, err := yaml.YAMLToJSON(in)
	if err != nil {
		fmt.Println("ERROR: " + err.Error())
		os.Exit(1)
	}
	fmt.Println(string(out))
}
