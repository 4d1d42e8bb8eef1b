package cloudtrail

import "testing"

func TestCensus(t *testing.T) {
	c := NewCensus([][]Interest{
		{{Source: "sso.amazonaws.com", Names: []string{"GetRoleCredentials"}}, {Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}}},
		{{Source: "signin.amazonaws.com"}},
		{{Source: "sso.amazonaws.com"}, {Source: "sso-directory.amazonaws.com"}},
	})
	cases := []struct {
		name, rec string
		want      uint64
	}{
		{"role use", `{"eventSource":"sso.amazonaws.com","eventName":"GetRoleCredentials"}`, 1},
		{"first kind wins over a later one", `{"eventName":"GetRoleCredentials","eventSource":"sso.amazonaws.com"}`, 1},
		{"any other sso name", `{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment"}`, 4},
		{"case does not matter", `{"eventSource":"SIGNIN.amazonaws.com","eventName":"x"}`, 2},
		{"saml", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML"}`, 1},
		{"other sts", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole"}`, 0},
		{"nothing known", `{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}`, 0},
		{"escaped key", `{"event\u0053ource":"signin.amazonaws.com","eventName":"UserAuthentication"}`, 2},
		{"no source", `{"eventName":"GetRoleCredentials"}`, 0},
	}
	for _, tc := range cases {
		var got uint64
		err := SplitRecords([]byte(`{"Records":[`+tc.rec+`]}`), func(r *Record) error {
			got = c.Record(r)
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: Record = %b, want %b", tc.name, got, tc.want)
		}
		if ev, err := Decode([]byte(tc.rec), Origin{}); err == nil && c.Event(ev) != tc.want {
			t.Errorf("%s: Event = %b, want %b", tc.name, c.Event(ev), tc.want)
		}
	}
	if c.All() != 7 {
		t.Errorf("All = %b", c.All())
	}
	var nilC *Census
	if nilC.All() != 0 || nilC.Record(&Record{}) != 0 {
		t.Error("a nil census counts something")
	}
}
