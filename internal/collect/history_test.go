package collect

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func TestHistoryRegions(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		regions []string
		ok      bool
	}{
		{"event-history", nil, true},
		{"event-history:eu-west-1", []string{"eu-west-1"}, true},
		{"event-history:us-east-1, eu-west-1,", []string{"us-east-1", "eu-west-1"}, true},
		{"./event-history", nil, false},
		{"event-history.json", nil, false},
		{"aws", nil, false},
	} {
		regions, ok := HistoryRegions(tc.spec)
		if ok != tc.ok || fmt.Sprint(regions) != fmt.Sprint(tc.regions) {
			t.Errorf("%q: %v %t, want %v %t", tc.spec, regions, ok, tc.regions, tc.ok)
		}
	}
}

// fakeHistory serves an event history: two groups created in us-east-1, one
// in eu-west-1, and a read that is no Identity Center write.
func fakeHistory(t *testing.T) (*awsfake.Server, History) {
	t.Helper()
	s := awsfake.New(awsfake.Sample())
	t.Cleanup(s.Close)
	s3 := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:02:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"ev-s3"}`
	for region, recs := range map[string][]string{
		"us-east-1": {createGroup("g-1", 1), s3, createGroup("g-2", 5)},
		"eu-west-1": {createGroup("g-3", 3)},
	} {
		var b [][]byte
		for _, r := range recs {
			b = append(b, []byte(r))
		}
		if err := s.AddHistory(region, b...); err != nil {
			t.Fatal(err)
		}
	}
	return s, History{Rate: 1000, AWS: awscollect.Options{
		Region: "us-east-1", Endpoint: s.URL, UserAgentVersion: "test", MaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	}}
}

func TestReplayHistory(t *testing.T) {
	day := ReplayOptions{Since: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name        string
		regions     []string
		o           ReplayOptions
		wantGroups  []string
		wantCapture string
	}{
		// A window's replay is as of the window's end (Until), whatever
		// changed inside it.
		{"the options' region", nil, day, []string{"g-1", "g-2"}, "03-02 00:00"},
		{"both regions, in time order", []string{"us-east-1", "eu-west-1"}, day, []string{"g-1", "g-2", "g-3"}, "03-02 00:00"},
		{"since", []string{"us-east-1", "eu-west-1"}, ReplayOptions{Since: day.Since.Add(10*time.Hour + 2*time.Minute), Until: day.Until}, []string{"g-2", "g-3"}, "03-02 00:00"},
		{"until", []string{"us-east-1", "eu-west-1"}, ReplayOptions{Since: day.Since, Until: day.Since.Add(10*time.Hour + 4*time.Minute)}, []string{"g-1", "g-3"}, "03-01 10:04"},
		// Without Until the history is read up to Now, and the replay is as
		// of its last event, never of Now.
		{"no until", []string{"us-east-1", "eu-west-1"}, ReplayOptions{Since: day.Since, Now: day.Until}, []string{"g-1", "g-2", "g-3"}, "03-01 10:05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := fakeHistory(t)
			m := idc.New("events")
			st, err := ReplayHistory(context.Background(), m, tt.regions, h, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedGroupIDs(m); fmt.Sprint(got) != fmt.Sprint(tt.wantGroups) || st.Applied != len(tt.wantGroups) {
				t.Errorf("groups %v (%d applied), want %v", got, st.Applied, tt.wantGroups)
			}
			if got := m.CapturedAt.Format("01-02 15:04"); got != tt.wantCapture || m.Partial {
				t.Errorf("captured at %s, partial %t; want %s, complete", got, m.Partial, tt.wantCapture)
			}
			if st.History == nil || st.History.Regions != max(1, len(tt.regions)) || st.Matched != int64(len(tt.wantGroups)) {
				t.Errorf("stats %+v, history %+v", st, st.History)
			}
			for _, c := range s.CallsTo("LookupEvents") {
				if c.Param("NextToken") == "" && !strings.Contains(string(c.Input), `"AttributeKey":"EventSource"`) {
					t.Errorf("a lookup without an event source: %s", c.Input)
				}
			}
		})
	}

	t.Run("a record that does not decode leaves the model partial", func(t *testing.T) {
		s, h := fakeHistory(t)
		broken := strings.Replace(createGroup("g-9", 9), `"awsRegion":"us-east-1"`, `"awsRegion":5`, 1)
		if err := s.AddHistory("us-east-1", []byte(broken)); err != nil {
			t.Fatal(err)
		}
		var reported []error
		m := idc.New("events")
		day.OnError = func(err error) { reported = append(reported, err) }
		if _, err := ReplayHistory(context.Background(), m, nil, h, day); err != nil {
			t.Fatal(err)
		}
		if !m.Partial || len(reported) != 1 || !strings.Contains(strings.Join(m.Missing, "\n"), "event history records could not be read") {
			t.Errorf("partial %t, missing %q, reported %v", m.Partial, m.Missing, reported)
		}
	})
	t.Run("a denied read is an error", func(t *testing.T) {
		s, h := fakeHistory(t)
		s.FailAlways("LookupEvents", "AccessDeniedException")
		_, err := ReplayHistory(context.Background(), idc.New("events"), nil, h, day)
		if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
			t.Errorf("got %v", err)
		}
	})
}

func TestReadEventsWithHistory(t *testing.T) {
	_, h := fakeHistory(t)
	signin := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:04:00Z","eventSource":"signin.amazonaws.com","eventName":"UserAuthentication","eventID":"ev-signin"}`
	objs := objects(t, map[string][]string{"a.json": {signin}})
	evs, bad, err := ReadEventsWith(context.Background(), []string{objs[0].Name, "event-history:us-east-1,eu-west-1"},
		EventsOptions{History: h, Until: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil || bad != 0 {
		t.Fatalf("read: %v, %d bad", err, bad)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	if got := strings.Join(ids, ","); got != "ev-g-1,ev-g-3,ev-signin,ev-g-2" {
		t.Errorf("events %s, want the history's and the file's merged in time order", got)
	}
}
