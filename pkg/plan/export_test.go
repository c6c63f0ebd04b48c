package plan

// Test helpers shared with the external test package (plan_test), which may import
// pkg/rotation (it imports plan).
var (
	LoadCase = loadCase
	Golden   = golden
)
