// Package athena hunts an organization trail where it lives: it turns the
// rule pack's prefilter and the time, account and region window into one SQL
// query over the standard CloudTrail table in Amazon Athena, runs it through
// the AWS SDK (start, poll, page, stop), and turns each row back into a
// CloudTrail record for the same engine as a local hunt.
//
// The standard table is the one AWS documents for CloudTrail in Athena
// (column names, types, the useridentity struct with onbehalfof, JSON text
// in requestparameters and responseelements), partitioned by account,
// region and `timestamp` (yyyy/MM/dd) with partition projection, as
// `portcullis athena ddl` prints it.
package athena

import (
	"fmt"
	"strings"
)

// Column is one column of the table, typed in Hive DDL notation as Athena
// (and Glue's GetTable) spells it.
type Column struct {
	Name string
	Type string
}

// Columns are the data columns of AWS's documented CloudTrail table, in its
// order (Athena user guide, "Create the table for CloudTrail logs in Athena
// using partition projection").
var Columns = []Column{
	{"eventversion", "string"},
	{"useridentity", "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string," +
		"onbehalfof:struct<userid:string,identitystorearn:string>," +
		"sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>," +
		"sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>," +
		"ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>"},
	{"eventtime", "string"},
	{"eventsource", "string"},
	{"eventname", "string"},
	{"awsregion", "string"},
	{"sourceipaddress", "string"},
	{"useragent", "string"},
	{"errorcode", "string"},
	{"errormessage", "string"},
	{"requestparameters", "string"},
	{"responseelements", "string"},
	{"additionaleventdata", "string"},
	{"requestid", "string"},
	{"eventid", "string"},
	{"readonly", "string"},
	{"resources", "array<struct<arn:string,accountid:string,type:string>>"},
	{"eventtype", "string"},
	{"apiversion", "string"},
	{"recipientaccountid", "string"},
	{"serviceeventdetails", "string"},
	{"sharedeventid", "string"},
	{"vpcendpointid", "string"},
	{"vpcendpointaccountid", "string"},
	{"eventcategory", "string"},
	{"addendum", "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"},
	{"sessioncredentialfromconsole", "string"},
	{"edgedevicedetails", "string"},
	{"tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"},
}

// Partition columns of an organization trail table: the account and region
// folders and the day folder (yyyy/MM/dd) under AWSLogs/<org>/.
const (
	PartAccount   = "account"
	PartRegion    = "region"
	PartTimestamp = "timestamp"
)

// Partitions are the projected partition keys, in path order.
var Partitions = []Column{{PartAccount, "string"}, {PartRegion, "string"}, {PartTimestamp, "string"}}

// PathColumn is the hidden column naming the S3 object a row came from;
// findings carry it as the event's file.
const PathColumn = "$path"

// jsonText are the string columns that hold a JSON value as text
// (requestparameters is `{"instanceArn":…}`, not a Hive struct).
var jsonText = map[string]bool{
	"requestparameters": true, "responseelements": true, "additionaleventdata": true,
	"serviceeventdetails": true, "edgedevicedetails": true,
}

// cloudTrailKey maps the table's lower-case names back to CloudTrail's keys.
// The JSON SerDe matches keys case-insensitively, so the table loses the
// case; findings and rules use CloudTrail's.
var cloudTrailKey = map[string]string{
	"eventversion": "eventVersion", "useridentity": "userIdentity", "eventtime": "eventTime",
	"eventsource": "eventSource", "eventname": "eventName", "awsregion": "awsRegion",
	"sourceipaddress": "sourceIPAddress", "useragent": "userAgent", "errorcode": "errorCode",
	"errormessage": "errorMessage", "requestparameters": "requestParameters",
	"responseelements": "responseElements", "additionaleventdata": "additionalEventData",
	"requestid": "requestID", "eventid": "eventID", "readonly": "readOnly",
	"eventtype": "eventType", "apiversion": "apiVersion", "recipientaccountid": "recipientAccountId",
	"serviceeventdetails": "serviceEventDetails", "sharedeventid": "sharedEventID",
	"vpcendpointid": "vpcEndpointId", "vpcendpointaccountid": "vpcEndpointAccountId",
	"eventcategory": "eventCategory", "sessioncredentialfromconsole": "sessionCredentialFromConsole",
	"edgedevicedetails": "edgeDeviceDetails", "tlsdetails": "tlsDetails",
	// nested
	"principalid": "principalId", "accountid": "accountId", "invokedby": "invokedBy",
	"accesskeyid": "accessKeyId", "username": "userName", "onbehalfof": "onBehalfOf",
	"userid": "userId", "identitystorearn": "identityStoreArn", "sessioncontext": "sessionContext",
	"mfaauthenticated": "mfaAuthenticated", "creationdate": "creationDate",
	"sessionissuer": "sessionIssuer", "ec2roledelivery": "ec2RoleDelivery",
	"webidfederationdata": "webIdFederationData", "federatedprovider": "federatedProvider",
	"updatedfields": "updatedFields", "originalrequestid": "originalRequestID",
	"originaleventid": "originalEventID", "tlsversion": "tlsVersion", "ciphersuite": "cipherSuite",
	"clientprovidedhostheader": "clientProvidedHostHeader",
}

// keyFor names a field as CloudTrail does; resources spell their ARN in
// capitals.
func keyFor(parent, name string) string {
	if parent == "resources" && name == "arn" {
		return "ARN"
	}
	if k, ok := cloudTrailKey[name]; ok {
		return k
	}
	return name
}

// Kind is the shape of a Hive type.
type Kind int

const (
	KindScalar Kind = iota // string, bigint, boolean …
	KindStruct
	KindArray
	KindMap
)

// Type is a parsed Hive type: scalars, struct<…>, array<…>, map<…,…>.
type Type struct {
	Kind   Kind
	Name   string  // scalar name (lower case): "string", "bigint" …
	Fields []Field // struct fields, in order
	Elem   *Type   // array element, map value
	Key    *Type   // map key
}

// Field is a named struct member.
type Field struct {
	Name string
	Type *Type
}

// ParseType reads a Hive type such as struct<a:string,b:array<string>>.
// Spaces are allowed anywhere between tokens.
func ParseType(s string) (*Type, error) {
	p := typeParser{s: strings.ToLower(s)}
	t, err := p.typ()
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", s, err)
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("type %q: unexpected %q at %d", s, p.s[p.i:], p.i)
	}
	return t, nil
}

// MustParseType is ParseType for the types in this package.
func MustParseType(s string) *Type {
	t, err := ParseType(s)
	if err != nil {
		panic(err)
	}
	return t
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *typeParser) ident() string {
	p.ws()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *typeParser) expect(c byte) error {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("want %q at %d", c, p.i)
	}
	p.i++
	return nil
}

func (p *typeParser) typ() (*Type, error) {
	name := p.ident()
	if name == "" {
		return nil, fmt.Errorf("want a type name at %d", p.i)
	}
	switch name {
	case "struct":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		t := &Type{Kind: KindStruct}
		for {
			f := p.ident()
			if f == "" {
				return nil, fmt.Errorf("want a field name at %d", p.i)
			}
			if err := p.expect(':'); err != nil {
				return nil, err
			}
			ft, err := p.typ()
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, Field{Name: f, Type: ft})
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			return t, p.expect('>')
		}
	case "array":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		e, err := p.typ()
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KindArray, Elem: e}, p.expect('>')
	case "map":
		if err := p.expect('<'); err != nil {
			return nil, err
		}
		k, err := p.typ()
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		v, err := p.typ()
		if err != nil {
			return nil, err
		}
		return &Type{Kind: KindMap, Key: k, Elem: v}, p.expect('>')
	}
	return &Type{Kind: KindScalar, Name: name}, nil
}

// Complex reports whether values of t are selected as JSON (structs,
// arrays, maps).
func (t *Type) Complex() bool { return t.Kind != KindScalar }
