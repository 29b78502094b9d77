import { describe, expect, test } from 'vitest';
import { buttons, joined, newClient, say } from '../helpers/dialogClient.js';
import { trainedTriage } from '../helpers/testBot.js';

/** The Vietnamese sentences the bot answers with (knowledge/language/vi/, knowledge/language/languages.json). */
async function vietnamese() {
  const { knowledge } = await trainedTriage();
  const offer = knowledge.languages.languages.find((l) => l.code === 'vi');
  const triage = knowledge.triageLanguages.find((l) => l.code === 'vi')?.replies;
  if (!offer || !triage) throw new Error('no Vietnamese sentences');
  return { offer, triage };
}

describe('full triage in Vietnamese (issue 10, item 7c)', () => {
  test('a recorder that does not record: in scope, said in Vietnamese, a ticket that carries the triage and the language', async () => {
    const { client, services } = await newClient();
    const { offer, triage } = await vietnamese();
    const text = 'Đầu ghi của tôi không ghi hình được, giúp tôi với';
    const first = await say(client, text);
    const all = joined(first);
    expect(all).toContain(triage.inScope.troubleshoot);
    expect(all).toContain(triage.offer);
    // Not the "I can only chat in English" answer, and no English guide shown as if it were Vietnamese.
    expect(all).not.toContain(offer.reply);
    expect(all).not.toMatch(/covered by our support|Did that fix it|1\. /i);
    expect(buttons(first)).toEqual([offer.person, offer.ticket, offer.noThanks]);

    expect(joined(await say(client, offer.ticket))).toContain(offer.ticketNext);
    await say(client, 'Trần Văn Minh, minh.tran@example.com');
    await say(client, 'skip');
    expect(joined(await say(client, 'Open the ticket'))).toMatch(/Your ticket T-000001 is open/);
    expect(await services.tickets.get('T-000001')).toMatchObject({
      summary: text,
      triage: { scope: 'in_scope', clause: null, intent: 'troubleshoot', language: 'vi' },
      customer: { contact: 'minh.tran@example.com' },
    });
  });

  test('typed without accents, it is the same Vietnamese triage', async () => {
    const { client } = await newClient();
    const { offer, triage } = await vietnamese();
    const replies = await say(client, 'dau ghi cua toi khong ghi hinh duoc, giup toi voi');
    expect(joined(replies)).toContain(triage.inScope.troubleshoot);
    expect(buttons(replies)).toEqual([offer.person, offer.ticket, offer.noThanks]);
  });

  test('a router question: refused in Vietnamese naming the clause; a person then sees the triage and the language', async () => {
    const { client, services } = await newClient();
    const { offer, triage } = await vietnamese();
    const text = 'router tp-link nhà tôi cứ bị rớt mạng, cài đặt lại giúp tôi được không';
    const first = await say(client, text);
    const all = joined(first);
    expect(all).toContain(triage.outOfScope.replace('{clause}', triage.clauses.third_party_equipment.title));
    expect(all).toContain('Thiết bị của hãng khác');
    // Not the English refusal with the policy paragraph.
    expect(all).not.toMatch(/Other manufacturers' equipment|responsibility under our support policy/);
    expect(buttons(first)).toEqual([offer.person, offer.ticket, offer.noThanks]);

    const queued = await say(client, 'nhan vien');
    expect(joined(queued)).toContain(offer.personNext);
    const waiting = await services.handoffs.list('waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ reason: 'asked', summary: text, triage: { scope: 'out_of_scope', clause: 'third_party_equipment', language: 'vi' } });
  });

  test('each policy rule is named in Vietnamese: backups, applications, the customer network, firewall advice, network checks', async () => {
    const { triage } = await vietnamese();
    const cases: Array<[string, string]> = [
      ['lỡ xóa video hôm qua rồi, khôi phục lại giúp tôi', triage.clauses.data_backup.title],
      ['email công ty không gửi được thư từ sáng', triage.clauses.applications.title],
      ['vpn văn phòng không kết nối được, sửa giúp', triage.clauses.customer_network.title],
      ['tường lửa công ty cần mở những cổng nào cho đầu ghi', triage.clauses.advice_only.title],
      ['ra ngoài thì không xem được camera trên điện thoại', triage.clauses.needs_diagnosis.title],
    ];
    for (const [text, title] of cases) {
      const { client } = await newClient();
      expect(joined(await say(client, text)), text).toContain(`«${title}»`);
    }
  });

  test('a request for a person in Vietnamese goes straight to the queue; thanks gets a Vietnamese reply and no offer', async () => {
    const { client, services } = await newClient();
    const { offer, triage } = await vietnamese();
    expect(joined(await say(client, 'cho tôi nói chuyện với nhân viên hỗ trợ'))).toContain(offer.personNext);
    expect(await services.handoffs.list('waiting')).toMatchObject([{ triage: { intent: 'human', language: 'vi' } }]);

    const { client: other } = await newClient();
    const thanks = await say(other, 'cảm ơn bạn nhiều nhé');
    expect(thanks[0]?.text).toBe(triage.offTopic.greeting);
    // The greeting already invites the next message: no "anything else?" follows, in any language.
    expect(thanks).toHaveLength(1);
    expect(buttons(thanks)).toEqual([]);
  });

  test('declining ends politely in Vietnamese; other languages keep the person-or-ticket offer', async () => {
    const { client } = await newClient();
    const { offer, triage } = await vietnamese();
    await say(client, 'camera số 2 bị mờ hình ban đêm');
    const declined = await say(client, 'không cần');
    expect(joined(declined)).toContain(offer.declined);
    // The "anything else?" that follows is asked in Vietnamese too.
    expect(declined.at(-1)?.text).toBe(triage.anythingElse);
    expect(joined(declined)).not.toMatch(/anything else/i);

    const { client: spanish } = await newClient();
    const { knowledge } = await trainedTriage();
    const es = knowledge.languages.languages.find((l) => l.code === 'es');
    expect(joined(await say(spanish, 'mi cámara no muestra imagen'))).toContain(es?.reply);
  });
});
