package consts

type Kind string

const (
	KindA Kind = "a"
	KindB Kind = "b"
	other      = "not a Kind"
)

const (
	KindC, notKind = "c", "x"
)
