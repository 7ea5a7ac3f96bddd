package corpus_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Storage and the incubator rules build on the leaf packages only: they must
// not pull in the file readers, the model clients or the knowledge base.
func TestLeafDependencies(t *testing.T) {
	forbidden := []string{
		"github.com/incubot/incubot/knowledge",
		"github.com/incubot/incubot/knowledge/models",
		"github.com/incubot/incubot/knowledge/docfile",
		"github.com/incubot/incubot/knowledge/eval",
		"github.com/sashabaranov/go-openai",
	}
	for _, pkg := range []string{"github.com/incubot/incubot/internal/postgres", "github.com/incubot/incubot/internal/incubator"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		for _, f := range forbidden {
			for _, d := range deps {
				if d == f {
					t.Errorf("%s depends on %s", pkg, f)
				}
			}
		}
	}
}
