import { isolationRule } from '../checks/isolation.ts';

export default isolationRule('ingress');
