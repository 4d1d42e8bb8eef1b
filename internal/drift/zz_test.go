package drift
import ("testing";"os";"github.com/portcullis-sec/portcullis/internal/collect/terraform")
func TestZZ(t *testing.T){ m,err:=terraform.Load("testdata/reconcile/baseline.tfstate"); if err!=nil{t.Fatal(err)}; m.Write(os.Stdout); t.Log(m.Validate()) }
