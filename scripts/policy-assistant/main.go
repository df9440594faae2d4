// Command pa-verdicts asks policy-assistant (sigs.k8s.io/network-policy-api/policy-assistant, Kubernetes SIG
// Network's policy analyzer) for its verdict on each of a list of connections, for netfence's differential
// test (test/engine/policy-assistant-differential.test.ts). scripts/policy-assistant.sh builds it in a
// throw-away module in netfence's cache, against policy-assistant's own packages; it is never part of netfence.
//
// Input (stdin, JSON): {"objects": [...], "endpoints": [E, ...], "pairs": [[s, d], ...], "protocols": [...],
// "ports": [...]}. The objects are Kubernetes manifests: Namespaces, Pods (labels, status.podIP, the
// containers' ports), NetworkPolicies, AdminNetworkPolicies and at most one BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1). An endpoint is {"pod": "namespace/name"} or {"ip": "address"} (an
// address outside the cluster); a pair is the indexes of its source and destination in "endpoints".
//
// Output (stdout, JSON): {"verdicts": "1001..."}, one character per pair, protocol and port (nested in that
// order; 1 allowed, 0 denied), or {"error": "..."} when the policies cannot be built or a verdict fails
// (policy-assistant panics on what it finds invalid).
//
// The verdict is policy-assistant's own (`matcher.BuildV1AndV2NetPols` with simplification on, as its
// `analyze` command does, then `Policy.IsTrafficAllowed`); this program only describes the connection the way
// policy-assistant's probes do (`probe.Job.Traffic`): the source and destination pods' labels, namespace,
// namespace labels and IP, the port number, and the name of the destination pod's container port with that
// number and protocol (a pod's named port is a (name, number, protocol) entry of its containers' ports).
// NetworkPolicies without policyTypes get the API server's default first (Ingress, plus Egress when
// spec.egress is not empty: SetDefaults_NetworkPolicySpec), since policy-assistant reads only stored objects
// and refuses a policy without them.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/network-policy-api/apis/v1alpha1"
	"sigs.k8s.io/network-policy-api/policy-assistant/pkg/matcher"
)

type endpoint struct {
	Pod string `json:"pod,omitempty"`
	IP  string `json:"ip,omitempty"`
}

type probe struct {
	Src      endpoint
	Dst      endpoint
	Protocol v1.Protocol
	Port     int
}

type input struct {
	Objects   []json.RawMessage `json:"objects"`
	Endpoints []endpoint        `json:"endpoints"`
	Pairs     [][2]int          `json:"pairs"`
	Protocols []v1.Protocol     `json:"protocols"`
	Ports     []int             `json:"ports"`
}

type output struct {
	Verdicts string `json:"verdicts,omitempty"`
	Error    string `json:"error,omitempty"`
}

type cluster struct {
	namespaces map[string]map[string]string
	pods       map[string]*v1.Pod
	netpols    []*networkingv1.NetworkPolicy
	anps       []*v1alpha1.AdminNetworkPolicy
	banp       *v1alpha1.BaselineAdminNetworkPolicy
}

func main() {
	// policy-assistant prints some warnings on stdout: keep stdout for the answer alone.
	answer := os.Stdout
	os.Stdout = os.Stderr
	out := run(os.Stdin)
	if err := json.NewEncoder(answer).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(r io.Reader) output {
	var in input
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return output{Error: "reading the input: " + err.Error()}
	}
	c, err := read(in.Objects)
	if err != nil {
		return output{Error: err.Error()}
	}
	policies, err := build(c)
	if err != nil {
		return output{Error: err.Error()}
	}
	verdicts := make([]byte, 0, len(in.Pairs)*len(in.Protocols)*len(in.Ports))
	for _, pair := range in.Pairs {
		if pair[0] < 0 || pair[0] >= len(in.Endpoints) || pair[1] < 0 || pair[1] >= len(in.Endpoints) {
			return output{Error: fmt.Sprintf("pair %v: no such endpoint", pair)}
		}
		for _, protocol := range in.Protocols {
			for _, port := range in.Ports {
				p := probe{Src: in.Endpoints[pair[0]], Dst: in.Endpoints[pair[1]], Protocol: protocol, Port: port}
				allowed, err := verdict(c, policies, p)
				if err != nil {
					return output{Error: fmt.Sprintf("%v -> %v %s/%d: %v", p.Src, p.Dst, protocol, port, err)}
				}
				if allowed {
					verdicts = append(verdicts, '1')
				} else {
					verdicts = append(verdicts, '0')
				}
			}
		}
	}
	return output{Verdicts: string(verdicts)}
}

func read(objects []json.RawMessage) (*cluster, error) {
	c := &cluster{namespaces: map[string]map[string]string{}, pods: map[string]*v1.Pod{}}
	for _, raw := range objects {
		var head struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, err
		}
		var err error
		switch head.Kind {
		case "Namespace":
			ns := &v1.Namespace{}
			err = json.Unmarshal(raw, ns)
			c.namespaces[ns.Name] = ns.Labels
		case "Pod":
			pod := &v1.Pod{}
			err = json.Unmarshal(raw, pod)
			c.pods[pod.Namespace+"/"+pod.Name] = pod
		case "NetworkPolicy":
			np := &networkingv1.NetworkPolicy{}
			err = json.Unmarshal(raw, np)
			defaultPolicyTypes(&np.Spec)
			c.netpols = append(c.netpols, np)
		case "AdminNetworkPolicy":
			anp := &v1alpha1.AdminNetworkPolicy{}
			err = json.Unmarshal(raw, anp)
			c.anps = append(c.anps, anp)
		case "BaselineAdminNetworkPolicy":
			if c.banp != nil {
				return nil, fmt.Errorf("more than one BaselineAdminNetworkPolicy")
			}
			c.banp = &v1alpha1.BaselineAdminNetworkPolicy{}
			err = json.Unmarshal(raw, c.banp)
		default:
			return nil, fmt.Errorf("unexpected kind %q", head.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("reading a %s: %w", head.Kind, err)
		}
	}
	return c, nil
}

// defaultPolicyTypes is the API server's SetDefaults_NetworkPolicySpec (pkg/apis/networking/v1/defaults.go).
func defaultPolicyTypes(spec *networkingv1.NetworkPolicySpec) {
	if len(spec.PolicyTypes) != 0 {
		return
	}
	spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	if len(spec.Egress) != 0 {
		spec.PolicyTypes = append(spec.PolicyTypes, networkingv1.PolicyTypeEgress)
	}
}

func build(c *cluster) (policies *matcher.Policy, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("policy-assistant refused the policies: %v", r)
		}
	}()
	return matcher.BuildV1AndV2NetPols(true, c.netpols, c.anps, c.banp), nil
}

func verdict(c *cluster, policies *matcher.Policy, p probe) (allowed bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("policy-assistant failed: %v", r)
		}
	}()
	src, err := peer(c, p.Src)
	if err != nil {
		return false, err
	}
	dst, err := peer(c, p.Dst)
	if err != nil {
		return false, err
	}
	traffic := &matcher.Traffic{
		Source:           src,
		Destination:      dst,
		ResolvedPort:     p.Port,
		ResolvedPortName: portName(c, p.Dst, p.Port, p.Protocol),
		Protocol:         p.Protocol,
	}
	return policies.IsTrafficAllowed(traffic).IsAllowed(), nil
}

func peer(c *cluster, e endpoint) (*matcher.TrafficPeer, error) {
	if e.Pod == "" {
		return &matcher.TrafficPeer{IP: e.IP}, nil
	}
	pod, ok := c.pods[e.Pod]
	if !ok {
		return nil, fmt.Errorf("no pod %s", e.Pod)
	}
	namespace := strings.SplitN(e.Pod, "/", 2)[0]
	return &matcher.TrafficPeer{
		Internal: &matcher.InternalPeer{
			PodLabels:       pod.Labels,
			NamespaceLabels: c.namespaces[namespace],
			Namespace:       namespace,
		},
		IP: pod.Status.PodIP,
	}, nil
}

// portName is the name of the destination pod's container port with this number and protocol ("" for none).
func portName(c *cluster, dst endpoint, port int, protocol v1.Protocol) string {
	pod, ok := c.pods[dst.Pod]
	if !ok {
		return ""
	}
	for _, container := range pod.Spec.Containers {
		for _, p := range container.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = v1.ProtocolTCP
			}
			if int(p.ContainerPort) == port && proto == protocol && p.Name != "" {
				return p.Name
			}
		}
	}
	return ""
}
