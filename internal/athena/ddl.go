package athena

import (
	"fmt"
	"regexp"
	"strings"
)

// DDLOptions describe where an organization trail lives.
type DDLOptions struct {
	Bucket   string
	Prefix   string // the trail's S3 key prefix, if any
	Org      string // o-…; "" for a trail that is not an organization trail
	Database string // "" = no database qualifier
	Table    string
	// Accounts become an enum projection, so org-wide queries need no
	// account filter. Empty: the account is "injected", and every query
	// must name its accounts (hunt --account).
	Accounts []string
	Regions  []string // default: DefaultRegions
	Start    string   // first day of projection.timestamp.range (yyyy/MM/dd)
}

// DefaultRegions are the commercial regions CloudTrail can log in; an
// enum projection must list them.
var DefaultRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
	"eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

var (
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	orgRE    = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	nameRE   = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)
	dayRE    = regexp.MustCompile(`^[0-9]{4}/[0-9]{2}/[0-9]{2}$`)
	prefixRE = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]*$`)
)

// DDL writes the CREATE EXTERNAL TABLE for a trail: AWS's documented
// CloudTrail columns, partitioned by account, region and `timestamp` with
// partition projection, so no partition is ever added by hand and a query
// reads only the days, accounts and regions it names.
func DDL(o DDLOptions) (string, error) {
	switch {
	case !bucketRE.MatchString(o.Bucket):
		return "", fmt.Errorf("--bucket: %q is not an S3 bucket name", o.Bucket)
	case o.Org != "" && !orgRE.MatchString(o.Org):
		return "", fmt.Errorf("--org: %q is not an organization id (o-…)", o.Org)
	case !nameRE.MatchString(o.Table):
		return "", fmt.Errorf("--table: %q: use lower-case letters, digits and _", o.Table)
	case o.Database != "" && !nameRE.MatchString(o.Database):
		return "", fmt.Errorf("--database: %q: use lower-case letters, digits and _", o.Database)
	case !dayRE.MatchString(o.Start):
		return "", fmt.Errorf("--start: %q: want yyyy/MM/dd", o.Start)
	case !prefixRE.MatchString(o.Prefix):
		return "", fmt.Errorf("--prefix: %q has characters S3 key prefixes should not", o.Prefix)
	}
	for _, a := range o.Accounts {
		if !accountRE.MatchString(a) {
			return "", fmt.Errorf("--accounts: %q is not a 12-digit account id", a)
		}
	}
	regions := o.Regions
	if len(regions) == 0 {
		regions = DefaultRegions
	}
	for _, r := range regions {
		if !regionRE.MatchString(r) {
			return "", fmt.Errorf("--regions: %q is not a region name", r)
		}
	}
	root := "s3://" + o.Bucket + "/"
	if p := strings.Trim(o.Prefix, "/"); p != "" {
		root += p + "/"
	}
	root += "AWSLogs/"
	if o.Org != "" {
		root += o.Org + "/"
	}
	name := "`" + o.Table + "`"
	if o.Database != "" {
		name = "`" + o.Database + "`." + name
	}

	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE %s (\n", name)
	for i, c := range Columns {
		b.WriteString("  " + c.Name + " ")
		writeHiveType(&b, MustParseType(c.Type), 1)
		if i < len(Columns)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(")\n")
	b.WriteString("PARTITIONED BY (account string, region string, `timestamp` string)\n")
	b.WriteString("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n")
	b.WriteString("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n")
	b.WriteString("OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n")
	fmt.Fprintf(&b, "LOCATION '%s'\n", root)
	b.WriteString("TBLPROPERTIES (\n")
	props := [][2]string{{"projection.enabled", "true"}}
	if len(o.Accounts) > 0 {
		props = append(props, [2]string{"projection.account.type", "enum"}, [2]string{"projection.account.values", strings.Join(o.Accounts, ",")})
	} else {
		props = append(props, [2]string{"projection.account.type", "injected"})
	}
	props = append(props,
		[2]string{"projection.region.type", "enum"},
		[2]string{"projection.region.values", strings.Join(regions, ",")},
		[2]string{"projection.timestamp.type", "date"},
		[2]string{"projection.timestamp.format", "yyyy/MM/dd"},
		[2]string{"projection.timestamp.interval", "1"},
		[2]string{"projection.timestamp.interval.unit", "DAYS"},
		[2]string{"projection.timestamp.range", o.Start + ",NOW"},
		[2]string{"storage.location.template", root + "${account}/CloudTrail/${region}/${timestamp}"},
	)
	for i, p := range props {
		fmt.Fprintf(&b, "  '%s'='%s'", p[0], p[1])
		if i < len(props)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(");\n")
	return b.String(), nil
}

// writeHiveType prints a type as AWS's guide does: upper-case keywords,
// one struct field per line.
func writeHiveType(b *strings.Builder, t *Type, depth int) {
	switch t.Kind {
	case KindStruct:
		b.WriteString("STRUCT<\n")
		for i, f := range t.Fields {
			b.WriteString(strings.Repeat("  ", depth+1) + f.Name + ": ")
			writeHiveType(b, f.Type, depth+1)
			if i < len(t.Fields)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", depth) + ">")
	case KindArray:
		b.WriteString("ARRAY<")
		writeHiveType(b, t.Elem, depth)
		b.WriteString(">")
	case KindMap:
		b.WriteString("MAP<")
		writeHiveType(b, t.Key, depth)
		b.WriteString(",")
		writeHiveType(b, t.Elem, depth)
		b.WriteString(">")
	default:
		b.WriteString(strings.ToUpper(t.Name))
	}
}
