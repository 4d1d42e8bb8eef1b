package watch

import "testing"

func TestRegionFromQueueURL(t *testing.T) {
	cases := map[string]string{
		"https://sqs.eu-west-1.amazonaws.com/111111111111/idc-events":                 "eu-west-1",
		"https://eu-west-2.queue.amazonaws.com/111111111111/q":                        "eu-west-2",
		"https://queue.amazonaws.com/111111111111/q":                                  "us-east-1",
		"https://sqs.cn-north-1.amazonaws.com.cn/111111111111/q":                      "cn-north-1",
		"https://sqs-fips.us-gov-west-1.amazonaws.com/111111111111/q":                 "us-gov-west-1",
		"https://vpce-0abc-1234.sqs.ap-southeast-2.vpce.amazonaws.com/111111111111/q": "ap-southeast-2",
		"http://127.0.0.1:4100/queue/portcullis":                                      "",
		"https://sqs.amazonaws.com/111111111111/q":                                    "",
		"not a url %%": "",
	}
	for in, want := range cases {
		got, ok := RegionFromQueueURL(in)
		if got != want || ok != (want != "") {
			t.Errorf("%s: got %q %v, want %q", in, got, ok, want)
		}
	}
}
