import { dnsRule } from '../checks/dns.ts';

export default dnsRule('UDP');
