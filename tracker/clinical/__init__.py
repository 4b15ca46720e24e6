"""Pure clinical calculators: standard library only, no Django, no clock, no database.

Any program can import these modules to grade a finding or classify a result; the rest of the
tracker stores what they compute together with the inputs they were given. Each rule cites the
section of ``docs/clinical-rules.md`` that states it with its published source.
"""
