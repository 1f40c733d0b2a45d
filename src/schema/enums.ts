// The enums of CONTRACT §2 (plus IndicatorStatus), defined once and shared by every domain module. Their values are
// the Prisma enums' values, so resolvers pass database rows through unchanged.
import { builder } from './builder.js';

export const BuildingBlock = builder.enumType('BuildingBlock', {
  description: 'The four building blocks of the TF1 data and indicators framework.',
  values: {
    IMMIGRATION_FLOW: { description: 'People arriving to live in the country.' },
    EMIGRATION_FLOW: { description: 'People leaving the country to live abroad.' },
    IMMIGRANT_STOCK: { description: 'Immigrants living in the country.' },
    EMIGRANT_STOCK: { description: "The country's emigrants living abroad." },
  } as const,
});

export const Tier = builder.enumType('Tier', {
  description: 'Whether a topic or indicator belongs to the core set every country should produce, or is additional.',
  values: {
    CORE: { description: 'Every country should produce it.' },
    ADDITIONAL: { description: 'Produced where relevant and feasible.' },
  } as const,
});

export const IndicatorStatus = builder.enumType('IndicatorStatus', {
  description: 'Life-cycle of a catalogue indicator.',
  values: {
    ACTIVE: { description: 'In use.' },
    RETIRED: { description: 'Kept readable, but left out of coverage and gap counts.' },
  } as const,
});

export const Suitability = builder.enumType('Suitability', {
  description: 'How well a source type can produce an indicator (TF1–TF4 interlinkage).',
  values: {
    PRIMARY: { description: 'The preferred source for the indicator.' },
    SECONDARY: { description: 'A feasible source, with known limitations.' },
    SUPPLEMENTARY: { description: 'Useful to complement or check other sources, not on its own.' },
  } as const,
});

export const ResidenceCriterion = builder.enumType('ResidenceCriterion', {
  description: 'Residence definition used by a source or submission (2017 census recommendations).',
  values: {
    OPTION_I: { description: 'Most of the last 12 months, or intent to stay at least 6 months.' },
    OPTION_II: { description: '12 months, or intent to stay at least 12 months.' },
    OTHER: { description: 'A national definition, described in free text.' },
  } as const,
});

export const SubmissionOrigin = builder.enumType('SubmissionOrigin', {
  description: 'Whose figures a submission version holds.',
  values: {
    COUNTRY: { description: "The country's own figures, from its sources." },
    INTERNATIONAL_ESTIMATE: {
      description:
        "An international estimate of the country's figure (UN DESA International Migrant Stock, imputed or " +
        'modelled where the country gave none): counted in coverage and aggregates, not as evidence of the ' +
        "country's own practice in implementation tracking.",
    },
  } as const,
});

export const PopulationGroup = builder.enumType('PopulationGroup', {
  description: 'The four resident population groups of the TF2 conceptual framework.',
  values: {
    NATIVE_BORN_CITIZENS: { description: 'Born in the country, citizens of it.' },
    NATIVE_BORN_FOREIGNERS: { description: 'Born in the country, not citizens of it.' },
    FOREIGN_BORN_CITIZENS: { description: 'Born abroad, citizens of the country.' },
    FOREIGN_BORN_FOREIGNERS: { description: 'Born abroad, not citizens of the country.' },
  } as const,
});

export const SubmissionStatus = builder.enumType('SubmissionStatus', {
  description: 'Review workflow of a submission version.',
  values: {
    DRAFT: { description: 'Being prepared; visible to its country and the task force only.' },
    SUBMITTED: { description: 'Sent for validation.' },
    VALIDATED: { description: 'Checked by the task force; counts for coverage.' },
    PUBLISHED: { description: 'Public; counts for coverage.' },
    REJECTED: { description: 'Sent back; never counts.' },
  } as const,
});

export const AccountComponent = builder.enumType('AccountComponent', {
  description: 'Components of a population account (stocks and flows of one group over one year).',
  values: {
    OPENING_STOCK: { description: 'Persons in the group at the start of the year.' },
    BIRTHS: { description: 'Births into the group (native-born groups only).' },
    DEATHS: { description: 'Deaths in the group.' },
    IMMIGRATION: { description: 'Immigrants joining the group.' },
    EMIGRATION: { description: 'Emigrants leaving the group.' },
    CITIZENSHIP_ACQUIRED: { description: 'Naturalisations, recorded on the foreigner group they leave.' },
    CITIZENSHIP_LOST: { description: 'Losses of citizenship, recorded on the citizen group they leave.' },
    CLOSING_STOCK: { description: 'Persons in the group at the end of the year.' },
  } as const,
});
