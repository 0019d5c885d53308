"""The Excel file format of a list's items (清单事项): one declarative column list.

It drives the template, the import (header check, cell types, which column an error belongs to) and the export
(same headers, so an export can be edited and imported again). The cell, workbook and formula-safety helpers are
the registers' own (grids.imports); only the columns are ours. Headers and help texts are the Chinese file format
itself, so they are not translated.

An item is found by its 编号 within the chosen list (the natural key). The responsible department by its code
(责任部门编码) or, without a code, by its exact name (责任部门) among the district's departments.
"""

from grids.imports import columns as c
from listings.models import ListItemStatus

SHEET_TITLE = "清单事项"
MAX_ROWS = 2000  # a list is small (dozens of items); imports run synchronously within the request

STATUS_LABELS = {ListItemStatus.ACTIVE: "有效", ListItemStatus.SUSPENDED: "暂停", ListItemStatus.REPEALED: "废止"}

ITEM_COLUMNS: tuple[c.Column, ...] = (
    c.Column("code", "编号", c.DIGITS, required=True, example="XZ-01",
             help="事项在本清单中的编号（字母、数字和“.”“-”“_”，最多32位），作为导入时的唯一标识："
                  "已有的编号更新该事项，新编号新增事项。文件中没有的事项保持不变（不会删除）。",
             header_aliases=("事项编号", "序号")),
    c.Column("name", "事项名称", c.TEXT, required=True, example="协助开展城乡居民基本医疗保险参保登记",
             help="最多200字。", header_aliases=("名称",)),
    c.Column("description", "事项说明", c.TEXT, example="", help="事项内容的说明，最多4000字；可留空。",
             header_aliases=("说明", "内容")),
    c.Column("legal_basis", "法律依据", c.TEXT, example="《中华人民共和国社会保险法》第二十五条",
             help="法律、法规、规章或文件名称及条款，最多2000字。", header_aliases=("依据",)),
    c.Column("department_code", "责任部门编码", c.DIGITS, example="110199-MZ",
             help="责任部门在本系统中的编码（见部门列表）；填写后按编码查找本区的部门。"),
    c.Column("department", "责任部门", c.TEXT, example="示范区民政局",
             help="未填写责任部门编码时，按部门全称在本区部门中查找；导出时写出部门名称。"
                  "不是本系统部门的责任单位请填在“责任主体”列。"),
    c.Column("responsible_body", "责任主体", c.TEXT, example="区医疗保障局",
             help="责任单位不是本系统中的部门时填写（最多200字）。“依法协助政府工作事项”必须填写责任部门或责任主体。"),
    c.Column("assist_method", "社区协助方式", c.TEXT, example="宣传动员、协助收集材料",
             help="社区（居委会）如何协助，最多2000字。", header_aliases=("协助方式",)),
    c.Column("funding_yuan", "保障经费（元/年）", c.DECIMAL, example="20000",
             help="随事项下沉的经费，元/年，不能为负数，最多两位小数；可留空。", header_aliases=("保障经费", "经费")),
    c.Column("funding_note", "经费保障方式", c.TEXT, example="区财政按社区数拨付工作经费",
             help="如区财政拨付、政府购买服务，最多300字。"),
    c.Column("staff_attached", "配备人员（人）", c.DECIMAL, example="0.5",
             help="随事项配备的人员（折合专职人数），不能为负数，最多两位小数；可留空。", header_aliases=("配备人员",)),
    c.Column("issuing_office", "应出具部门", c.TEXT, example="公安派出所",
             help="仅“不得出具的证明”清单：应由哪个部门出具或办理，居民将被引导到该部门（该清单必填）。",
             header_aliases=("办理部门",)),
    c.Column("keywords", "匹配关键词", c.TEXT, example="医保 参保",
             help="识别任务标题的词语，多个用空格、顿号或逗号分隔；事项准入时用于匹配清单。", header_aliases=("关键词",)),
    c.Column("valid_from", "生效日期", c.DATE, required=True, example="2024-01-01",
             help="格式YYYY-MM-DD或Excel日期。"),
    c.Column("valid_to", "截止日期", c.DATE, example="",
             help="最后有效的一天；留空表示长期有效。不能早于生效日期。", header_aliases=("失效日期",)),
    c.Column("status", "状态", c.CHOICE, example="有效",
             choices=tuple((code, label) for code, label in STATUS_LABELS.items()),
             aliases=(("在用", "active"), ("执行", "active"), ("已暂停", "suspended"), ("已废止", "repealed"),
                      ("停止", "suspended")),
             help="留空时新事项为“有效”，已有事项不变。暂停或废止未填截止日期的事项，截止日期记为导入前一天；"
                  "已废止的事项不能恢复（请新增事项）。"),
    c.Column("is_sample", "示例数据", c.BOOL, example="否",
             help="“是”表示该事项为示例数据（页面上标注“示例数据”）。留空时新事项为“否”，已有事项不变。"),
    c.Column("position", "排序", c.INT, example="10", help="清单内的显示顺序（0–100000的整数，小的在前）；留空时新事项为0。"),
)

COLUMN_BY_KEY = {column.key: column for column in ITEM_COLUMNS}
COLUMN_ORDER = {column.key: index for index, column in enumerate(ITEM_COLUMNS)}
# Service field → the column its errors belong to.
FIELD_COLUMN = {"responsible_department": "department_code"}
