import type { Activity, ConversationReference } from 'botbuilder';
import { expect, test } from 'vitest';
import { TeamsStaffChannel, type TeamsPoster } from '../../src/channels/teams/TeamsStaffChannel.js';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { InMemoryEventBus } from '../../src/domain/events/InMemoryEventBus.js';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { BotStateStorage } from '../../src/storage/BotStateStorage.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { FakeTickets, FixedClock, RecordingMessenger, request } from '../handoff/fakes.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';

class RecordingPoster implements TeamsPoster {
  readonly posts: Array<Partial<Activity>> = [];
  readonly replies: Array<Partial<Activity>> = [];
  private next = 1;
  async startThread(channel: Partial<ConversationReference>, activity: Partial<Activity>) {
    this.posts.push(activity);
    const id = String(this.next++);
    return { ...channel, conversation: { ...channel.conversation!, id: `${channel.conversation!.id};messageid=${id}` }, activityId: id };
  }
  async reply(_thread: Partial<ConversationReference>, activity: Partial<Activity>) {
    this.replies.push(activity);
  }
}

const STAFF_CHANNEL = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:staff@thread.tacv2' } };

/**
 * Two instances: one shared store and one shared bus (as PostgreSQL gives them), a HandoffService
 * and a Teams staff channel each. `claims` false leaves the claims out, to show what they prevent.
 */
function twoInstances(claims: boolean) {
  const shared = new MemoryDocumentStore();
  const bus = new InMemoryEventBus();
  const clock = new FixedClock();
  return [0, 1].map(() => {
    const deliveries = new InMemoryCustomerDeliveries(new RecordingMessenger());
    const handoffs = new HandoffService(new DocumentHandoffStore(shared), new FakeTickets(), deliveries, new StaffedHours('24x7'), clock.now, { averageMinutes: 6 }, bus);
    const poster = new RecordingPoster();
    const errors: string[] = [];
    const teams = new TeamsStaffChannel(handoffs, poster, STAFF_CHANNEL, new BotStateStorage(shared), (_err, context) => errors.push(context), claims ? shared : undefined);
    teams.start();
    return { handoffs, poster, teams, errors };
  });
}

test('with several instances hearing every event, each Teams post is made once', async () => {
  const [a, b] = twoInstances(true) as [ReturnType<typeof twoInstances>[number], ReturnType<typeof twoInstances>[number]];
  const queued = await a.handoffs.request(request('conv-1'));
  if (queued.kind !== 'queued') throw new Error('expected queued');
  await Promise.all([a.teams.idle(), b.teams.idle()]);
  expect(a.poster.posts.length + b.poster.posts.length).toBe(1);

  // The customer writes (on B), an agent accepts in the console (on A), then closes (on B): one line each.
  await b.handoffs.customerMessage('webchat/conv-1', 'still no picture');
  await a.handoffs.accept(queued.handoff.id, 'dana');
  await b.handoffs.close(queued.handoff.id, 'dana');
  await Promise.all([a.teams.idle(), b.teams.idle()]);
  const replies = [...a.poster.replies, ...b.poster.replies].map((r) => r.text).sort();
  expect(replies).toEqual(['Customer: still no picture', `${queued.handoff.id} is being handled by dana.`, `${queued.handoff.id} is closed.`].sort());
  expect([...a.errors, ...b.errors]).toEqual([]);
});

test('without the claims every instance would post the same card', async () => {
  const [a, b] = twoInstances(false) as [ReturnType<typeof twoInstances>[number], ReturnType<typeof twoInstances>[number]];
  await a.handoffs.request(request('conv-1'));
  await Promise.all([a.teams.idle(), b.teams.idle()]);
  expect(a.poster.posts.length + b.poster.posts.length).toBe(2);
});
