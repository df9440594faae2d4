import { defaultDenyRule } from '../checks/isolation.ts';

export default defaultDenyRule('ingress');
