"""Every unit-clause form of the issue, each on a passage quoted from the corpus."""

from __future__ import annotations

from tests.corpus_helpers import draft, task, units


def test_a_label_clause_in_square_brackets_names_lead_and_responsible_units():
    # 10_xialu_zhongdian_gongzuo_2020.txt
    plan = draft(
        "一、全力统筹疫情防控和经济社会秩序恢复\n（一）坚持常态化疫情防控\n"
        "2、以爱国卫生运动和文明城市创建为抓手,大力开展环境卫生综合整治,强化群众风险防控意识,"
        "切实巩固疫情防控成果。[牵头单位:区卫健局、区创文办;责任单位:区疫情防控指挥部成员单位、"
        "区创文工作领导小组成员单位、各街办(新区)]\n"
    )
    assert units(task(plan, "一(一)2")) == [
        ("区卫健局", "lead"),
        ("区创文办", "lead"),
        ("区疫情防控指挥部成员单位", "support"),
        ("区创文工作领导小组成员单位", "support"),
        ("各街办（新区）", "support"),
    ]


def test_labels_separated_only_by_spaces_are_two_labels():
    # 23_xining_liutongye_2017.txt
    plan = draft(
        "二、加快流通业发展的重点工作任务\n(一)深化流通体制改革\n"
        "1.提高流通管理部门管理效能。建立分工明确、权责统一、协调高效的流通管理体制。"
        "(牵头单位:市商务局  责任单位:市编办、市发改委、市法制办、各区县政府)\n"
    )
    assert units(task(plan, "二(一)1")) == [
        ("市商务局", "lead"),
        ("市编办", "support"),
        ("市发改委", "support"),
        ("市法制办", "support"),
        ("各区县政府", "support"),
    ]


def test_a_document_wide_lead_rule_is_a_note_and_the_first_listed_leads():
    # 22_neijiang_jiuye_chuangye_traditional.txt (read as simplified)
    plan = draft(
        "一、深入實施就業優先發展戰略\n(一)建立經濟發展與擴大就業聯動機制。把穩定和擴大就業作為"
        "經濟運行合理區間的下限。(市發展改革委、市經濟和信息化委、市財政局、市人力資源社會保障局、"
        "市商務局、市地稅局、市國稅局、市統計局等負責,列第一位者為牽頭單位,下同)\n"
        "(二)發展吸納就業能力強的產業。挖掘第二產業就業潛力。(市商務局、市經濟和信息化委、市農業局等負責)\n"
    )
    first = units(task(plan, "一(一)"))
    assert first[0] == ("市发展改革委", "lead")
    assert ("市统计局", "support") in first and len(first) == 8  # 等 and the notes are no units
    assert units(task(plan, "一(二)")) == [
        ("市商务局", "lead"),
        ("市经济和信息化委", "support"),
        ("市农业局", "support"),
    ]
    assert plan.lead_rule == "列第一位者为牵头单位，下同"


def test_units_that_each_lead_all_lead_and_those_that_take_part_support():
    # 24_chaozhou_lantian_2019.txt
    plan = draft(
        "二、工作任务\n(一)升级产业结构,推动产业绿色转型。\n"
        "1.制定实施准入清单。完成生态保护红线、环境质量底线、资源利用上线、环境准入清单编制工作。"
        "〔市生态环境局牵头,市发展和改革局、工业和信息化局、自然资源局参与,各县、区人民政府(管委会)"
        "负责落实。以下各项工作均需各县、区人民政府(管委会)落实,不再列出。〕按省的要求,县级及以上"
        "城市建成区原则上不再新建每小时35蒸吨以下燃煤锅炉。(市生态环境局、市场监管局牵头,"
        "市发展和改革局、工业和信息化局参与)\n"
        "2.排查整治“散乱污”工业企业(场所)。2019年9月底前,基本完成全市整治任务。(市生态环境局牵头,"
        "市公安局参与)\n"
    )
    assert units(task(plan, "二(一)1-1")) == [
        ("市生态环境局", "lead"),
        ("市发展和改革局", "support"),
        ("工业和信息化局", "support"),
        ("自然资源局", "support"),
        ("各县、区人民政府（管委会）", "support"),
    ]
    # the default clause (以下…均需…落实，不再列出) adds the county governments to later tasks
    assert units(task(plan, "二(一)1-2")) == [
        ("市生态环境局", "lead"),
        ("市场监管局", "lead"),
        ("市发展和改革局", "support"),
        ("工业和信息化局", "support"),
        ("各县、区人民政府（管委会）", "support"),
    ]
    assert ("各县、区人民政府（管委会）", "support") in units(task(plan, "二(一)2"))


def test_a_unit_guiding_leads_and_the_one_carrying_out_supports_this_and_every_later_task():
    # 13_guowuyuan_wufei_chengshi_2018.txt
    plan = draft(
        "二、主要任务\n（一）强化顶层设计引领，发挥政府宏观指导作用。建立“无废城市”建设指标体系。"
        "（生态环境部牵头，国家发展改革委、国家统计局参与）\n"
        "优化固体废物管理体制机制，强化部门分工协作。建立部门责任清单。（生态环境部指导，试点城市政府"
        "负责落实。以下均需试点城市政府落实，不再列出）\n"
        "统筹城市发展与固体废物管理，优化产业结构布局。（国家发展改革委、工业和信息化部指导）\n"
    )
    assert [t.ref for t in plan.tasks] == ["二(一)-1", "二(一)-2", "二(一)-3"]
    assert units(task(plan, "二(一)-1")) == [
        ("生态环境部", "lead"),
        ("国家发展改革委", "support"),
        ("国家统计局", "support"),
    ]
    assert units(task(plan, "二(一)-2")) == [("生态环境部", "lead"), ("试点城市政府", "support")]
    assert units(task(plan, "二(一)-3")) == [
        ("国家发展改革委", "lead"),
        ("工业和信息化部", "support"),
        ("试点城市政府", "support"),
    ]


def test_a_unit_working_with_the_relevant_departments_leads_them():
    # 12_guowuyuan_jili_zhichi_2018.txt
    plan = draft(
        "十六、对大力培育发展战略性新兴产业的市（地、州、盟），优先支持战略性新兴产业集群建设。"
        "（国家发展改革委会同有关部门负责）\n"
        "十八、对培育壮大接续替代产业等转型成效突出的资源枯竭城市，中央财政予以倾斜支持。"
        "（国家发展改革委、财政部会同有关部门负责）\n"
    )
    assert units(task(plan, "十六")) == [("国家发展改革委", "lead"), ("有关部门", "support")]
    assert units(task(plan, "十八")) == [
        ("国家发展改革委", "lead"),
        ("财政部", "lead"),
        ("有关部门", "support"),
    ]


def test_trailing_etc_ends_the_departments_and_the_provinces_are_kept_as_a_collective():
    # 11_guowuyuan_xiaofei_fupin_2018.txt
    plan = draft(
        "三、大力拓宽贫困地区农产品流通和销售渠道\n（四）打通供应链条。支持大中城市和贫困地区引导和"
        "扶持一批消费扶贫示范企业。（商务部、发展改革委、农业农村部等和各有关省级人民政府负责）\n"
    )
    assert units(task(plan, "三(四)")) == [
        ("商务部", "lead"),
        ("发展改革委", "support"),
        ("农业农村部", "support"),
        ("各有关省级人民政府", "support"),
    ]


def test_units_that_lead_and_the_relevant_departments_by_their_duties():
    # 16_guowuyuan_zhengfu_gongzuo_baogao_fengong_2018_xiangcun.txt
    plan = draft(
        "(二十四)健全城乡融合发展体制机制。科学制定规划,依靠改革创新壮大乡村发展新动能。"
        "(国家发展改革委、农业农村部牵头,有关部门按职责分工负责)\n"
    )
    assert units(task(plan, "(二十四)")) == [
        ("国家发展改革委", "lead"),
        ("农业农村部", "lead"),
        ("有关部门按职责分工负责", "support"),
    ]


def test_a_clause_note_setting_a_default_is_no_unit_and_applies_from_that_task_on():
    # 01_sichuan_xiandai_liutong_2022.txt
    plan = draft(
        "一、深化现代流通市场化改革\n(一)加强市场体系建设。推进高标准市场体系建设。〔责任单位:"
        "省发展改革委、省市场监管局、商务厅、省大数据中心按职责分工负责。具体任务均涉及相关市(州)"
        "人民政府,不再做分工,下同。〕\n(二)优化市场准入环境。实施“证照分离”改革全覆盖。〔责任单位:"
        "省市场监管局〕\n"
    )
    assert units(task(plan, "一(一)")) == [
        ("省发展改革委", "lead"),
        ("省市场监管局", "support"),
        ("商务厅", "support"),
        ("省大数据中心", "support"),
        ("相关市（州）人民政府", "support"),
    ]
    assert units(task(plan, "一(二)")) == [
        ("省市场监管局", "lead"),
        ("相关市（州）人民政府", "support"),
    ]


def test_a_unit_clause_on_its_own_line_covers_the_block_above():
    # 02_yuncheng_yingji_shisanwu_zerenfenjie.txt
    plan = draft(
        "“十三五”应急体系9个具体建设任务\n(一)“一案三制”建设\n1.完善应急预案体系\n"
        "(1)加强应急预案管理,规范应急预案编制、审批、发布、备案、修订和评估工作。\n"
        "(2)推进政府及其部门应急预案“精编化”,及时修订完善现有应急预案。\n"
        "(责任单位:市直各有关单位、各县(市、区)人民政府、各开发区管委会)\n"
        "2.健全应急管理体制和运行机制\n"
    )
    block = task(plan, "(一)1")
    assert units(block) == [
        ("市直各有关单位", "lead"),
        ("各县（市、区）人民政府", "support"),
        ("各开发区管委会", "support"),
    ]
    assert "精编化" in block.body


def test_a_label_on_its_own_line_after_a_target_heading_assigns_it():
    # 03_caidian_zhengfu_gongzuo_baogao_2023.txt: the cover notice's 一、二、 are not tasks
    plan = draft(
        "一、各责任单位要高度重视,切实加强领导,并于2023年1月15日前将工作方案报区人民政府办公室。\n\n"
        "蔡甸区人民政府办公室\n\n2023年1月3日\n\n"
        "2023年区《政府工作报告》确定的主要目标任务责任分解方案\n\n"
        "一、2023年全区经济社会发展的主要预期目标\n\n(一)地区生产总值增长7%以上\n\n"
        "责任单位:区发展和改革局\n\n(二)规上工业增加值增长12%以上\n\n责任单位:区科技和经信局\n"
    )
    assert [t.ref for t in plan.tasks] == ["一(一)", "一(二)"]
    assert units(task(plan, "一(二)")) == [("区科技和经信局", "lead")]
    assert next((t.name, t.value, t.cmp) for t in plan.targets) == ("地区生产总值增长", 7, ">=")


def test_inline_sub_items_each_with_a_clause_are_tasks_of_their_own():
    # 28_chizhou_sizui_yingshang_2017.txt
    plan = draft(
        "一、持续减少审批事项\n1.深化商事制度改革。(1)全面落实“多证合一、一照一码”改革。"
        "(市工商质监局牵头负责)(2)完善企业登记全程电子化。推行全程电子化登记。(市工商质监局牵头负责)"
        "(3)推进企业名称登记改革。全面开放市企业名称库\n"
    )
    assert [t.ref for t in plan.tasks] == ["一1(1)", "一1(2)", "一1(3)"]
    assert units(task(plan, "一1(2)")) == [("市工商质监局", "lead")]


def test_a_deadline_inside_a_clause_is_the_tasks_not_a_unit():
    # 21_xiangxi_fangguanfu_2020_traditional.txt; the mirror's pinyin (發(fā)) is dropped
    plan = draft(
        "州政發(fā)〔2020〕5號\n湘西自治州2020年深化“放管服”改革優(yōu)化營商環(huán)境工作計劃\n"
        "一、進一步提升政務服務效能\n1.加大簡政放權力度。堅持依法放權、宜放則放的原則。"
        "(牽頭單位:州行政審批服務局;責任單位:州司法局、州委編辦及州直相關單位,各縣市人民政府、"
        "湘西經(jīng)開區(qū)管委會,6月底完成)\n"
    )
    first = task(plan, "一1")
    assert units(first) == [
        ("州行政审批服务局", "lead"),
        ("州司法局", "support"),
        ("州委编办", "support"),
        ("州直相关单位", "support"),
        ("各县市人民政府", "support"),
        ("湘西经开区管委会", "support"),
    ]
    assert (first.deadline, str(first.due_date)) == ("6月底完成", "2020-06-30")
    assert plan.doc_number == "州政发〔2020〕5号"


def test_prose_that_names_the_responsible_departments_assigns_the_task():
    # 26_anquan_shengchan_zhuanxiang_zhengzhi_page3.txt
    plan = draft(
        "(三)道路交通安全专项整治,由公安、交通部门负责,有关部门配合。要继续加大无证驾驶的整治力度。\n"
        "(四)公众聚集场所消防安全专项整治,由公安部门负责,有关部门配合。要坚决整治重大火灾隐患。\n"
    )
    assert units(task(plan, "(三)")) == [
        ("公安部门", "lead"),
        ("交通部门", "lead"),
        ("有关部门", "support"),
    ]
    assert units(task(plan, "(四)")) == [("公安部门", "lead"), ("有关部门", "support")]


def test_a_report_of_who_leads_what_gives_one_task_per_sentence_due_when_the_campaign_ends():
    # 27_kaifeng_anquan_shengchan_2016_prose_leads.txt
    plan = draft(
        "此次专项行动时间为2016年12月1日至2017年2月28日。\n"
        "市安全监管局牵头,负责组织开展对危险化学品和烟花爆竹领域的专项整治工作。市公安局牵头,"
        "负责组织开展对道路交通领域的专项整治工作。公安消防支队牵头,负责组织开展对人员密集场所的专项整治工作。\n"
    )
    assert [units(t) for t in plan.tasks] == [
        [("市安全监管局", "lead")],
        [("市公安局", "lead")],
        [("公安消防支队", "lead")],
    ]
    assert {str(t.due_date) for t in plan.tasks} == {"2017-02-28"}


def test_a_remark_in_brackets_is_not_a_unit_clause():
    # 14_guowuyuan_zhiye_jiaoyu_2019_targets.txt and 24: （技工院校内由…负责）, （场所）
    plan = draft(
        "二、构建职业教育国家标准\n（六）启动1+X证书制度试点工作。\n国务院人力资源社会保障行政部门、"
        "教育行政部门在职责范围内，分别负责管理监督考核院校外、院校内职业技能等级证书的实施"
        "（技工院校内由人力资源社会保障行政部门负责），国务院人力资源社会保障行政部门组织制定职业标准。\n"
        "（七）排查整治“散乱污”工业企业（场所）。全面落实整治工作方案的要求。\n"
    )
    assert [t.units for t in plan.tasks] == [[], []]


def test_a_unit_the_directory_does_not_know_is_kept_as_written_and_nothing_is_guessed():
    # 07_dongguan_jiuye_2021.txt, in a jurisdiction (舟山) whose directory lacks 市残联
    plan = draft(
        "舟山市人民政府关于稳定和扩大就业的实施意见\n一、减负稳岗留工并举\n（一）减轻企业负担\n"
        "2.继续按不高于2017年征收标准征收残疾人就业保障金。(市残联、市财政局、市税务局负责)\n"
    )
    assert plan.jurisdiction == "zhoushan"
    assert [(u.name, u.role, u.proposed) for u in task(plan, "一(一)2").units] == [
        ("市残联", "lead", False),
        ("市财政局", "support", False),
        ("市税务局", "support", False),
    ]


def test_the_keyword_suggester_runs_only_where_the_text_names_no_unit():
    plan = draft(
        "舟山市人民政府关于推进标准化的实施意见\n一、主要任务\n（一）加强计量能力建设。建设计量测试中心。\n"
        "（二）开展质量提升行动。(市经信局牵头,市科技局配合)\n"
    )
    assert all(u.proposed for u in task(plan, "一(一)").units)
    assert task(plan, "一(一)").units
    assert not any(u.proposed for u in task(plan, "一(二)").units)
