// `tsnet bond` (tsnet's own): bonding devices and their slaves. Code: ../bond.ts.
import { type IpObject, onUse } from '../object.js';

const MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

export const bond: IpObject = {
  names: ['bond'],
  command: 'bond',
  summary: 'Show and manage bonding devices and their slaves.',
  synopsis: 'bond { add | del | enslave | release | set | show | help } ...',
  optionsAfter: true,
  verbs: {
    add: { keywords: { mode: MODES, miimon: 'free' }, args: ['free'] },
    del: { keywords: {}, args: ['devices'] },
    enslave: { keywords: {}, args: ['devices', 'devices'] },
    release: { keywords: {}, args: ['devices', 'devices'] },
    set: { keywords: { active: 'devices', primary: 'devices', mode: MODES, miimon: 'free' }, args: ['devices'] },
    show: { keywords: {}, args: ['devices'] },
    help: { keywords: {} },
  },
  run: onUse(() => import('../bond.js'), (m) => m.doBond),
};
