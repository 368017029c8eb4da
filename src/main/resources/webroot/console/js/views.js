// One function per view: it renders into the main element and returns {onEvent, leave} when it listens.
import { overview } from './views/overview.js';
import { tasks, task } from './views/tasks.js';
import { agents, agent } from './views/agents.js';
import { audit } from './views/audit.js';
import { limits } from './views/limits.js';

export const views = {
  overview,
  tasks: (main, id) => (id ? task(main, id) : tasks(main)),
  agents: (main, id) => (id ? agent(main, id) : agents(main)),
  audit,
  limits,
};
