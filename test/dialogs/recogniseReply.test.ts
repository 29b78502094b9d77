import { describe, expect, test } from 'vitest';
import { answerChoices, defaultChoiceOf, plainAnswerOf, recogniseReply, type ChoicesPromptOptions } from '../../dialogs/rendering/ChoicesPrompt.js';

const FIXED: ChoicesPromptOptions = {
  choices: [
    { value: 'Yes, fixed', synonyms: ['fixed', 'working', 'all good'] },
    { value: 'No, still broken', synonyms: ['not fixed', 'not working', 'still broken'] },
  ],
  answers: { yes: 'Yes, fixed', no: 'No, still broken' },
};
const OFFER: ChoicesPromptOptions = {
  choices: [{ value: 'Open a ticket', synonyms: ['ticket'] }, { value: 'Talk to a person', synonyms: ['person'] }, { value: 'No thanks' }],
  answers: { yes: 'Open a ticket', no: 'No thanks', later: 'No thanks' },
};
/** Declares nothing: yes and no come from its own synonyms, as in the warranty questions. */
const SEAL: ChoicesPromptOptions = {
  choices: [
    { value: 'Yes, intact', synonyms: ['yes', 'y', 'intact'] },
    { value: 'No, it is damaged', synonyms: ['no', 'n', 'torn', 'broken'] },
  ],
};

const picked = (text: string, options: ChoicesPromptOptions) => {
  const reply = recogniseReply(text, options);
  return reply.kind === 'choice' ? reply.choice.value : reply.kind;
};

describe('plain answers in many phrasings', () => {
  test.each([
    ['yes', 'yes'], ['Yeah!', 'yes'], ['yep all good now', 'yes'], ['sure, go ahead', 'yes'], ['ok yes please', 'yes'],
    ['no', 'no'], ['Nope.', 'no'], ['nah thanks', 'no'], ['no thank you', 'no'], ["I don't think so", 'no'], ['nope, still dead', 'no'],
    // "ok" is a filler: alone it is whatever the prompt's own synonyms say.
    ['not now, maybe later', 'later'], ['ok, not now', 'later'], ['later', 'later'], ['not yet', 'later'], ['no, maybe another time', 'later'],
    ['never mind', 'cancel'], ['forget it', 'cancel'], ['no, cancel that', 'cancel'],
    ["I don't know", 'unknown'], ['no idea', 'unknown'], ['not sure tbh', 'unknown'],
  ])('"%s" means %s', (text, meaning) => {
    expect(plainAnswerOf(text)).toBe(meaning);
  });

  test.each(['yes and no', 'ok', 'also my camera 3 shows no video', 'no video on camera 3', 'status of T-000001', 'blorp'])('"%s" is no plain answer', (text) => {
    expect(plainAnswerOf(text)).toBeNull();
  });
});

describe('recogniseReply', () => {
  test.each([
    ['Yes, fixed', 'Yes, fixed'], ['yep all good now', 'Yes, fixed'], ["it's working now", 'Yes, fixed'], ['nope', 'No, still broken'],
    ['also my camera is not working', 'No, still broken'], ['2', 'No, still broken'], ['2.', 'No, still broken'], ['#1', 'Yes, fixed'], ['the first one', 'Yes, fixed'],
    ['status of T-000001', 'newProblem'], ['ticket 2', 'unclear'], ['I have 2 cameras and 1 recorder offline', 'newProblem'], ['maybe later', 'unclear'], ['asdf', 'unclear'],
  ])('at "Did that fix it?": "%s" → %s', (text, expected) => {
    expect(picked(text, FIXED)).toBe(expected);
  });

  test.each([
    ['not now, maybe later', 'No thanks'], ['yes please', 'Open a ticket'], ['please open a ticket for me', 'Open a ticket'], ['a person please', 'Talk to a person'],
    ['never mind', 'No thanks'], ['also my camera 3 shows no video', 'newProblem'], ['no video on camera 3', 'newProblem'], ['3', 'No thanks'], ['4', 'unclear'],
  ])('at the ticket / person offer: "%s" → %s', (text, expected) => {
    expect(picked(text, OFFER)).toBe(expected);
  });

  test.each([
    ['yeah', 'Yes, intact'], ['nope', 'No, it is damaged'], ['the seal is torn', 'No, it is damaged'],
    // A choice's word after a negation picks nothing, and an unknown is a reply to the question, never a new problem.
    ["it's not intact", 'unclear'], ["I don't know, I can't reach it, it's on the ceiling", 'unclear'],
    // "Later" has no choice here, and "no" never stands in for it: a "no" is a fact against the customer.
    ['not now', 'unclear'],
  ])('at a question that declares nothing: "%s" → %s', (text, expected) => {
    expect(picked(text, SEAL)).toBe(expected);
  });

  test('with a choice for not knowing, saying so at any length picks it', () => {
    const unsure: ChoicesPromptOptions = { ...SEAL, choices: [...(SEAL.choices ?? []), { value: "I'm not sure" }] };
    expect(answerChoices(unsure).unknown).toBe("I'm not sure");
    expect(picked("I don't know, I can't reach it, it's on the ceiling", unsure)).toBe("I'm not sure");
    expect(picked('no idea', unsure)).toBe("I'm not sure");
    expect(picked('nope', unsure)).toBe('No, it is damaged');
  });
});

test('a prompt can say long replies are no new problems (a reply in a language the bot does not read)', () => {
  expect(picked('also my camera 3 shows no video', { ...OFFER, newProblems: false })).toBe('unclear');
});

describe('what each answer picks, and the default', () => {
  test('declared answers win; the rest are inferred from the choices\' own synonyms; later and cancel stand in for each other', () => {
    expect(answerChoices(SEAL)).toEqual({ yes: 'Yes, intact', no: 'No, it is damaged' });
    const confirm: ChoicesPromptOptions = { choices: [{ value: 'Open the ticket', synonyms: ['yes', 'ok'] }, { value: 'Change the summary' }, { value: 'Cancel', synonyms: ['no', 'cancel'] }] };
    expect(answerChoices(confirm)).toEqual({ yes: 'Open the ticket', no: 'Cancel', cancel: 'Cancel', later: 'Cancel' });
  });

  test('the default is declared, else the choice meaning later or cancel, never one meaning no', () => {
    expect(defaultChoiceOf({ ...FIXED, defaultChoice: 'No, still broken' })?.value).toBe('No, still broken');
    expect(defaultChoiceOf(OFFER)?.value).toBe('No thanks');
    expect(defaultChoiceOf(SEAL)).toBeUndefined();
  });
});
