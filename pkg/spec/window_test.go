package spec

import (
	"testing"
	"time"
)

func TestWindowParse(t *testing.T) {
	w, err := Window{Schedule: "0 3 * * SUN", Duration: Duration{4 * time.Hour}, TimeZone: "Europe/Paris"}.Parse()
	if err != nil || w.Schedule != "0 3 * * SUN" || w.Duration != 4*time.Hour || w.Location.String() != "Europe/Paris" {
		t.Fatalf("Parse = %+v, %v; want the schedule, 4h, Europe/Paris", w, err)
	}
	if w, err := (Window{Schedule: "0 3 * * SUN", Duration: Duration{time.Hour}}).Parse(); err != nil || w.Location != time.UTC {
		t.Errorf("Parse without a zone = %+v, %v; want UTC", w, err)
	}
	if _, err := (Window{Schedule: "0 3 * * SUN", Duration: Duration{time.Hour}, TimeZone: "Mars/Olympus"}).Parse(); err == nil {
		t.Error("Parse with an unknown zone succeeded")
	}
}
